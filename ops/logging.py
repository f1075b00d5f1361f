"""JSON log lines for production: one object per line on stdout, ready for a log collector."""

import json
import logging
import time
from contextvars import ContextVar
from datetime import UTC, datetime

# The id of the request being served, for every log line written while serving it.
request_id: ContextVar[str] = ContextVar("request_id", default="")

# Attributes every LogRecord has; anything else was passed in `extra=` and goes in the JSON.
_STANDARD_ATTRS = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


class RequestIdFilter(logging.Filter):
    """Stamps each record with the current request's id (empty outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", ""):
            record.request_id = request_id.get()
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, tz=UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD_ATTRS and not key.startswith("_") and key != "request":
                entry[key] = value
        if record.exc_info:
            entry["exc_type"] = record.exc_info[0].__name__ if record.exc_info[0] else None
            entry["traceback"] = self.formatException(record.exc_info)
        elif record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


class Throttle:
    """Says when a recurring failure deserves another log line: once per `seconds` per kind.

    A dependency that is down fails on every request; one line a minute says as much, with
    the count of the failures left unsaid in between.
    """

    def __init__(self, seconds: float):
        self.seconds = seconds
        self._last: dict[str, float] = {}
        self._unsaid: dict[str, int] = {}

    def ready(self, kind: str) -> int | None:
        """None: stay quiet (the failure is counted); else how many went unsaid since the last."""
        now = time.monotonic()
        last = self._last.get(kind)
        if last is not None and now - last < self.seconds:
            self._unsaid[kind] = self._unsaid.get(kind, 0) + 1
            return None
        self._last[kind] = now
        return self._unsaid.pop(kind, 0)

    def forget(self, kind: str) -> None:
        """The failure is over: the next one is news and is logged at once."""
        self._last.pop(kind, None)
        self._unsaid.pop(kind, None)

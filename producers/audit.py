"""Every action in or about the producer portal leaves an AuditEvent (and a log line)."""

import ipaddress
import logging

from core.clients import client_address

from .models import AuditEvent

logger = logging.getLogger("ocop.producers")


def record(action: str, user=None, producer=None, detail: str = "", request=None) -> AuditEvent:
    address = client_address(request) if request is not None else ""
    try:
        address = str(ipaddress.ip_address(address))
    except ValueError:
        address = None
    event = AuditEvent.objects.create(
        action=action,
        user=user,
        username=user.get_username() if user is not None else "",
        producer=producer,
        detail=detail[:300],
        address=address,
    )
    logger.info(
        "producer portal: %s",
        action,
        extra={"user": event.username, "producer": producer.pk if producer else None},
    )
    return event

"""The benchmarks: each module below runs with `.venv/bin/python -m bench.<module> --help`.

- pages: the public pages under load (gunicorn driven by wrk), written to bench/results.md;
  page_probe and page_report are its child process and its tables.
- search: search timings through the test client, SQLite and PostgreSQL.
- imports: import_ocop on a synthetic register.
- profile: time and profile each page on the database of DATABASE_URL.

Shared: common (subprocesses, settings), databases (temporary databases, seeding), servers
(gunicorn), wrk (wrk and its output) and report (medians, the machine, bench/results.md).
The drivers reach the site only through subprocesses (manage.py, gunicorn, wrk, and their own
child processes); the code that runs inside Django imports it within its functions.
"""

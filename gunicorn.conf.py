"""gunicorn settings for `make serve` and production (gunicorn reads this file by itself).

WEB_CONCURRENCY: sync worker processes (default 2 × cores + 1); BIND: address (default
127.0.0.1:8000; behind a load balancer on another host, e.g. 0.0.0.0:8000). Django writes one
JSON line per request on stdout, so gunicorn's own access log stays off.
"""

import multiprocessing
import os

bind = os.environ.get("BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", 2 * multiprocessing.cpu_count() + 1))
worker_class = "sync"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 30
# Recycle a worker now and then, so that a slow leak can never grow without bound.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "5000"))
max_requests_jitter = max_requests // 10
accesslog = None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# Proxies: one setting, TRUSTED_PROXIES (addresses or networks, comma-separated; empty: none),
# read by Django for the client's address (X-Forwarded-For, core/clients.py) and here for
# the scheme: gunicorn takes X-Forwarded-Proto (wsgi.url_scheme) from those peers only. It
# never rewrites REMOTE_ADDR (the PROXY protocol stays off), so REMOTE_ADDR is always the
# peer and Django alone decides how far to trust X-Forwarded-For.
forwarded_allow_ips = ",".join(
    proxy.strip() for proxy in os.environ.get("TRUSTED_PROXIES", "").split(",") if proxy.strip()
)
proxy_protocol = False
# No control socket (gunicorn 27+): it lives at one path per user, which two servers on one
# host would share; restarts go through signals (HUP, TERM) as before.
control_socket_disable = True

"""gunicorn's settings in production, read from the environment.

`gunicorn contratville.wsgi` run from the project's folder reads this file (or name it with
`-c gunicorn.conf.py`). gunicorn listens on a local address; the reverse proxy (nginx, see the
README) terminates HTTPS and forwards to it."""

import multiprocessing
import os

wsgi_app = "contratville.wsgi:application"

# A local address or a Unix socket ("unix:/run/contratville/gunicorn.sock").
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# gunicorn's own convention for the number of worker processes.
workers = int(os.environ.get("WEB_CONCURRENCY") or multiprocessing.cpu_count() * 2 + 1)
# The bilan's PDF takes a few seconds, its first one more (Chromium draws the charts).
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "120"))
graceful_timeout = 30
keepalive = 5
# A worker is replaced after this many requests: the PDF's libraries keep memory.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "1000"))
max_requests_jitter = max_requests // 10

# Trust X-Forwarded-Proto only from the reverse proxy.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# Access log on standard output (journald, docker logs...), with the client's address as the
# proxy saw it and the time taken in microseconds.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
access_log_format = '%({x-forwarded-for}i)s %(h)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %(D)s'

"""gunicorn settings for running campus in production (`gunicorn -c campus/gunicorn.conf.py`)."""

import os

wsgi_app = "campus.wsgi:application"
bind = os.environ.get("CAMPUS_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("CAMPUS_WORKERS", "4"))
threads = int(os.environ.get("CAMPUS_THREADS", "4"))
worker_class = "gthread"
timeout = 30
graceful_timeout = 20
accesslog = "-"
# Tokens may travel in query strings of misbehaving clients: log the path only, never the query.
access_log_format = '%(h)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(M)sms'
forwarded_allow_ips = os.environ.get("CAMPUS_FORWARDED_ALLOW_IPS", "127.0.0.1")

"""WSGI entry point for gunicorn: `gunicorn hub.config.wsgi`."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hub.config.settings")
application = get_wsgi_application()

"""WSGI entry point for gunicorn: `gunicorn node.config.wsgi`."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "node.config.settings")
application = get_wsgi_application()

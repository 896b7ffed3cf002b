"""The node's Celery application (worker and beat): `celery -A node.config worker`."""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "node.config.settings")

app = Celery("systraite-node")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks(["node.sync", "node.accounts"])

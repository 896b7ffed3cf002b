from django.apps import AppConfig


class SyncConfig(AppConfig):
    name = "node.sync"
    label = "sync"

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "node.accounts"
    label = "accounts"

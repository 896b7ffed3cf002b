from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "node.cases"
    label = "cases"

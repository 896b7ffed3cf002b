from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "node.people"
    label = "people"

from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "shinealight.people"
    label = "people"
    verbose_name = "Resolved people and objects"

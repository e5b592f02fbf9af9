from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "shinealight.api"
    label = "api"
    verbose_name = "API"

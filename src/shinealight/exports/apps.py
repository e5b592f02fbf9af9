from django.apps import AppConfig


class ExportsConfig(AppConfig):
    name = "shinealight.exports"
    label = "exports"
    verbose_name = "Exports"

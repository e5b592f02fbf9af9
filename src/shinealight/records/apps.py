from django.apps import AppConfig


class RecordsConfig(AppConfig):
    name = "shinealight.records"
    label = "records"
    verbose_name = "Agency records"

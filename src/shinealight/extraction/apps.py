from django.apps import AppConfig


class ExtractionConfig(AppConfig):
    name = "shinealight.extraction"
    label = "extraction"
    verbose_name = "Free-text extraction"

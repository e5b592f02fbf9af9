from django.apps import AppConfig


class ExtractionConfig(AppConfig):
    name = "shinealight.extraction"
    label = "extraction"
    verbose_name = "Free-text extraction"

    def ready(self) -> None:
        # Registers the after-import hook that extracts mentions from new summaries.
        from shinealight.extraction import services  # noqa: F401

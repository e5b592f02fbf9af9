from django.apps import AppConfig


class RetentionConfig(AppConfig):
    name = "shinealight.retention"
    label = "retention"
    verbose_name = "Retention, legal holds and subject access"

    def ready(self) -> None:
        # Registers the after-import hook that refuses records deleted under retention.
        # This app sits before `people` in INSTALLED_APPS, so the hook runs before
        # linkage, extraction and alerts see a refused record.
        from shinealight.retention import hooks  # noqa: F401

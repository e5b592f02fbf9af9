from django.apps import AppConfig


class AccessConfig(AppConfig):
    name = "shinealight.access"
    label = "access"
    verbose_name = "Need-to-know access, break-glass and sealed records"

    def ready(self) -> None:
        # Registers the after-import hook (after linkage: this app is listed after `people`)
        # and the receivers that keep agency-child knowledge right after merges and runs.
        from django.db.models.signals import post_migrate

        from shinealight.access import services

        post_migrate.connect(services.child_knowledge_fill_if_empty, sender=self)

from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "shinealight.people"
    label = "people"
    verbose_name = "Resolved people and objects"

    def ready(self) -> None:
        # Registers the after-import hook that resolves each import's mentions.
        from shinealight.people import services  # noqa: F401

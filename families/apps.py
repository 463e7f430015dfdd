from django.apps import AppConfig


class FamiliesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "families"
    verbose_name = "Family support"

    def ready(self) -> None:
        from families import signals  # noqa: F401  # a new network gets its family website pages

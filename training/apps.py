from django.apps import AppConfig


class TrainingConfig(AppConfig):
    name = "training"
    verbose_name = "Training"

    def ready(self) -> None:
        from kpis import producers
        from training import signals  # noqa: F401  # a new network gets its key messages
        from training.services import PRODUCER

        # The KPI engine stores and refreshes the coverage figures through this producer; kpis never imports
        # training.
        producers.register(PRODUCER)

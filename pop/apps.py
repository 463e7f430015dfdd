from django.apps import AppConfig


class PopConfig(AppConfig):
    name = "pop"
    verbose_name = "Perinatal Optimisation Pathway (POP)"

    def ready(self) -> None:
        from kpis import producers
        from pop.services import PRODUCER

        # The KPI engine stores and refreshes POP figures through this producer; kpis never imports pop.
        producers.register(PRODUCER)

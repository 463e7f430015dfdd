from django.apps import AppConfig


class PopConfig(AppConfig):
    name = "pop"
    verbose_name = "Perinatal Optimisation Pathway (POP)"

from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "shinealight.cases"
    label = "cases"
    verbose_name = "Cases and workflow"

from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "shinealight.audit"
    label = "audit"
    verbose_name = "Audit"

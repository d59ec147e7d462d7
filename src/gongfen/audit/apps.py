from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "gongfen.audit"
    verbose_name = "审计"

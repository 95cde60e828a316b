from django.apps import AppConfig


class CourriersConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "courriers"
    verbose_name = "Courriers"

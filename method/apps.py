from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MethodConfig(AppConfig):
    name = "method"
    verbose_name = _("Journey-mapping method")

    def ready(self) -> None:
        from maps.hooks import template_source_register
        from method.workspace_templates import template_document

        template_source_register(template_document)

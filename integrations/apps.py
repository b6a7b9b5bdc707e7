from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntegrationsConfig(AppConfig):
    name = "integrations"
    verbose_name = _("Integrations")

    def ready(self) -> None:
        from exports.signals import export_finished
        from integrations import receivers
        from maps.hooks import change_applied
        from workspaces.signals import member_added

        change_applied.connect(receivers.map_changed, dispatch_uid="integrations.map_changed")
        export_finished.connect(receivers.export_done, dispatch_uid="integrations.export_done")
        member_added.connect(receivers.member_joined, dispatch_uid="integrations.member_joined")

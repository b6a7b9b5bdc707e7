from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntegrationsConfig(AppConfig):
    name = "integrations"
    verbose_name = _("Integrations")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from exports.signals import export_finished
        from integrations import receivers
        from integrations.models import Webhook
        from maps.hooks import change_applied
        from workspaces.signals import member_added

        change_applied.connect(receivers.map_changed, dispatch_uid="integrations.map_changed")
        export_finished.connect(receivers.export_done, dispatch_uid="integrations.export_done")
        member_added.connect(receivers.member_joined, dispatch_uid="integrations.member_joined")
        for signal in (post_save, post_delete):
            signal.connect(
                receivers.webhook_saved, sender=Webhook, dispatch_uid=f"webhook-{signal}"
            )

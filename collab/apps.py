from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CollabConfig(AppConfig):
    name = "collab"
    verbose_name = _("Sharing and conversation")

    def ready(self) -> None:
        from collab.notifications import comments_changed
        from maps.hooks import change_applied

        change_applied.connect(comments_changed, dispatch_uid="collab.comments_changed")

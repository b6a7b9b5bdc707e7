"""The webhooks page of a workspace: its admins add, switch, rotate and remove webhooks and
read each one's delivery log (docs/integrations.md)."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from integrations import services
from integrations.models import Attempt, BodyFormat, Event, Webhook
from workspaces.current import user_of
from workspaces.models import Membership, Workspace

SESSION_SLOT = "integrations:new-secret"  # the session slot a new secret waits in, once


class WebhookForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=120, required=False)
    url = forms.URLField(
        label=gettext_lazy("Receiver URL"),
        max_length=2000,
        assume_scheme="https",
        help_text=gettext_lazy("Public http or https address; redirects are not followed."),
    )
    events = forms.MultipleChoiceField(
        label=gettext_lazy("Events"),
        choices=Event.choices,
        widget=forms.CheckboxSelectMultiple,
        initial=[Event.COMMENT_CREATED, Event.MENTION],
    )
    body_format = forms.ChoiceField(
        label=gettext_lazy("Body format"), choices=BodyFormat.choices, initial=BodyFormat.JSON
    )


def _admin_workspace(request: HttpRequest, workspace_id: uuid.UUID) -> Workspace | HttpResponse:
    """The workspace for one of its admins; 404 for others, 403 for a plain member."""
    membership = (
        Membership.objects.select_related("workspace")
        .filter(workspace_id=workspace_id, user=user_of(request))
        .first()
    )
    if membership is None:
        raise Http404("No such workspace.")
    if membership.role != Membership.Role.ADMIN:
        return HttpResponse(_("Only workspace admins can manage webhooks."), status=403)
    return membership.workspace


def _webhook(workspace: Workspace, webhook_id: uuid.UUID) -> Webhook:
    webhook = workspace.webhooks.filter(pk=webhook_id).first()
    if webhook is None:
        raise Http404("No such webhook.")
    return webhook


def _last(attempts: list[Attempt]) -> Attempt | None:
    return attempts[-1] if attempts else None


def _row(hook: Webhook) -> dict[str, Any]:
    """A webhook as the page shows it: its events by name, its last deliveries, each with
    its latest attempt (the response code and duration shown)."""
    labels = dict(Event.choices)
    deliveries = [
        {"delivery": delivery, "last": _last(list(delivery.attempt_log.all()))}
        for delivery in services.deliveries_recent(webhook=hook, limit=10)
    ]
    return {
        "webhook": hook,
        "events": [labels[event] for event in hook.events if event in labels],
        "deliveries": deliveries,
    }


@login_required
def webhooks(request: HttpRequest, workspace_id: uuid.UUID) -> HttpResponse:
    workspace = _admin_workspace(request, workspace_id)
    if isinstance(workspace, HttpResponse):
        return workspace
    form = WebhookForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            webhook = services.webhook_create(
                workspace=workspace, actor=user_of(request), **form.cleaned_data
            )
        except services.WebhookError as error:
            form.add_error("url", error.message)
        else:
            request.session[SESSION_SLOT] = {"id": str(webhook.pk), "secret": webhook.secret}
            messages.success(request, _("Webhook added."))
            return redirect("integrations-webhooks", workspace_id=workspace.pk)
    rows = [_row(hook) for hook in workspace.webhooks.all()]
    return render(
        request,
        "integrations/webhooks.html",
        {
            "workspace": workspace,
            "rows": rows,
            "form": form,
            "new_secret": request.session.pop(SESSION_SLOT, None),
        },
    )


@login_required
@require_POST
def webhook_action(
    request: HttpRequest, workspace_id: uuid.UUID, webhook_id: uuid.UUID
) -> HttpResponse:
    workspace = _admin_workspace(request, workspace_id)
    if isinstance(workspace, HttpResponse):
        return workspace
    webhook = _webhook(workspace, webhook_id)
    action = request.POST.get("action")
    if action == "rotate":
        secret = services.webhook_secret_rotate(webhook=webhook)
        request.session[SESSION_SLOT] = {"id": str(webhook.pk), "secret": secret}
        messages.success(request, _("New secret made; the old one no longer works."))
    elif action in {"enable", "disable"}:
        services.webhook_update(webhook=webhook, fields={"active": action == "enable"})
        messages.success(request, _("Webhook saved."))
    elif action == "delete":
        services.webhook_delete(webhook=webhook)
        messages.success(request, _("Webhook removed."))
    else:
        messages.error(request, _("Unknown action."))
    return redirect("integrations-webhooks", workspace_id=workspace.pk)


@login_required
@require_POST
def redeliver(
    request: HttpRequest, workspace_id: uuid.UUID, webhook_id: uuid.UUID, delivery_id: uuid.UUID
) -> HttpResponse:
    workspace = _admin_workspace(request, workspace_id)
    if isinstance(workspace, HttpResponse):
        return workspace
    delivery = _webhook(workspace, webhook_id).deliveries.filter(pk=delivery_id).first()
    if delivery is None:
        raise Http404("No such delivery.")
    services.delivery_redeliver(delivery=delivery)
    messages.success(request, _("Sending again."))
    return redirect("integrations-webhooks", workspace_id=workspace.pk)

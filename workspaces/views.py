"""Workspace pages: sign-up, switching and creating workspaces, members (the dashboard of maps
is maps/dashboard.py)."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import UserCreationForm
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from workspaces.current import set_current_workspace, user_of
from workspaces.forms import WorkspaceForm
from workspaces.models import Membership, Workspace
from workspaces.services import membership_set, workspace_create


class SignUpForm(UserCreationForm):
    email = forms.EmailField(label=gettext_lazy("Email"))

    class Meta(UserCreationForm.Meta):
        model = get_user_model()
        fields = ("username", "email")

    def clean_email(self) -> str:
        email = str(self.cleaned_data["email"]).strip().lower()
        if get_user_model().objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(_("An account with this email already exists."))
        domain = email.rsplit("@", 1)[-1]
        if settings.OIDC_ENABLED and domain in settings.OIDC_ALLOWED_DOMAINS:
            # The provider signs its people in by e-mail: an account made here first, by
            # whoever typed the address, would be theirs (docs/operations.md).
            raise forms.ValidationError(
                _("Addresses at %(domain)s sign in with %(provider)s instead.")
                % {"domain": domain, "provider": settings.OIDC_PROVIDER_NAME}
            )
        return email


def signup(request: HttpRequest) -> HttpResponse:
    if not settings.SIGNUP_ENABLED:
        raise Http404("Sign-up is switched off.")
    if request.user.is_authenticated:
        return redirect("dashboard")
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        workspace = workspace_create(
            name=_("%(name)s's workspace") % {"name": user.get_username()}, creator=user
        )
        login(request, user, backend="workspaces.auth.ThrottledModelBackend")
        set_current_workspace(request, workspace)
        return redirect("dashboard")
    return render(request, "registration/signup.html", {"form": form})


@login_required
def workspace_new(request: HttpRequest) -> HttpResponse:
    form = WorkspaceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        workspace = workspace_create(
            name=form.cleaned_data["name"].strip(), creator=user_of(request)
        )
        set_current_workspace(request, workspace)
        messages.success(request, _("Workspace created."))
        return redirect("dashboard")
    return render(request, "workspaces/new.html", {"form": form})


@login_required
@require_POST
def workspace_switch(request: HttpRequest) -> HttpResponse:
    workspace = (
        Workspace.objects.for_user(request.user)
        .filter(pk=_uuid_or_none(request.POST.get("workspace")))
        .first()
    )
    if workspace is None:
        raise Http404("No such workspace.")
    set_current_workspace(request, workspace)
    return redirect("dashboard")


def _uuid_or_none(raw: str | None) -> Any:
    try:
        return uuid.UUID(str(raw))
    except ValueError:
        return None


class AddMemberForm(forms.Form):
    who = forms.CharField(label=gettext_lazy("Username or email"), max_length=254)
    role = forms.ChoiceField(
        label=gettext_lazy("Role"), choices=Membership.Role.choices, initial=Membership.Role.MEMBER
    )

    def clean_who(self) -> Any:
        who = self.cleaned_data["who"].strip()
        users = get_user_model().objects
        user = users.filter(username=who).first() or users.filter(email__iexact=who).first()
        if user is None:
            raise forms.ValidationError(_("No account with this username or email."))
        return user


def _member_workspace(request: HttpRequest, workspace_id: uuid.UUID) -> tuple[Workspace, str]:
    membership = (
        Membership.objects.select_related("workspace")
        .filter(workspace_id=workspace_id, user=user_of(request))
        .first()
    )
    if membership is None:
        raise Http404("No such workspace.")
    return membership.workspace, membership.role


@login_required
def members(request: HttpRequest, workspace_id: uuid.UUID) -> HttpResponse:
    workspace, role = _member_workspace(request, workspace_id)
    is_admin = role == Membership.Role.ADMIN
    form = AddMemberForm(request.POST or None)
    if request.method == "POST":
        if not is_admin:
            return HttpResponse(_("Only workspace admins can add members."), status=403)
        if form.is_valid():
            membership_set(
                workspace=workspace, user=form.cleaned_data["who"], role=form.cleaned_data["role"]
            )
            messages.success(request, _("Member saved."))
            return redirect("workspace-members", workspace_id=workspace.pk)
    rows = workspace.memberships.select_related("user").order_by("user__username")
    return render(
        request,
        "workspaces/members.html",
        {
            "workspace": workspace,
            "memberships": rows,
            "is_admin": is_admin,
            "form": form,
            "roles": Membership.Role.choices,
        },
    )


@login_required
@require_POST
def member_change(
    request: HttpRequest, workspace_id: uuid.UUID, membership_id: int
) -> HttpResponse:
    workspace, role = _member_workspace(request, workspace_id)
    if role != Membership.Role.ADMIN:
        return HttpResponse(_("Only workspace admins can change members."), status=403)
    target = workspace.memberships.filter(pk=membership_id).first()
    if target is None:
        raise Http404("No such member.")
    admins = workspace.memberships.filter(role=Membership.Role.ADMIN)
    last_admin = target.role == Membership.Role.ADMIN and admins.count() == 1
    if request.POST.get("action") == "remove":
        if last_admin:
            messages.error(request, _("A workspace needs at least one admin."))
        else:
            target.delete()
            messages.success(request, _("Member removed."))
    elif request.POST.get("role") in Membership.Role.values:
        if last_admin and request.POST["role"] != Membership.Role.ADMIN:
            messages.error(request, _("A workspace needs at least one admin."))
        else:
            membership_set(workspace=workspace, user=target.user, role=request.POST["role"])
            messages.success(request, _("Role changed."))
    else:
        messages.error(request, _("Choose a role."))
    return redirect("workspace-members", workspace_id=workspace.pk)

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from rest_framework import serializers

from journeymap.text import clean_text
from workspaces.models import Membership, Workspace


class PlainTextMixin:
    """Text from a form or API client is stored as NFC without control characters, and its
    length is checked again after normalisation (NFC can lengthen text)."""

    def to_internal_value(self, data: Any) -> Any:
        values = super().to_internal_value(data)  # type: ignore[misc]
        errors: dict[str, list[str]] = {}
        for name, value in values.items():
            field = self.fields.get(name)  # type: ignore[attr-defined]
            try:
                values[name] = _clean(value, getattr(field, "max_length", None))
            except ValueError as error:
                errors[name] = [str(error)]
        if errors:
            raise serializers.ValidationError(errors)
        return values


def _clean(value: Any, max_length: int | None) -> Any:
    if isinstance(value, list):
        return [_clean(v, None) for v in value]
    if not isinstance(value, str):
        return value
    value = clean_text(value)
    if max_length is not None and len(value) > max_length:
        raise ValueError(f"Ensure this field has no more than {max_length} characters.")
    return value


def display_name(user: User) -> str:
    return user.get_full_name() or user.username


class UserSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField(read_only=True)
    username = serializers.CharField(read_only=True)
    name = serializers.SerializerMethodField()

    def get_name(self, user: User) -> str:
        return display_name(user)


class WorkspaceSerializer(PlainTextMixin, serializers.ModelSerializer[Workspace]):
    role = serializers.SerializerMethodField()

    class Meta:
        model = Workspace
        fields = ["id", "name", "created_at", "role"]
        read_only_fields = ["id", "created_at", "role"]

    def get_role(self, workspace: Workspace) -> str | None:
        return getattr(workspace, "my_role", None)


class MembershipSerializer(serializers.ModelSerializer[Membership]):
    user = UserSerializer(read_only=True)

    class Meta:
        model = Membership
        fields = ["user", "role", "created_at"]


class InviteSerializer(serializers.Serializer[Any]):
    """Someone named by username or email, and a role."""

    username = serializers.CharField(required=False, max_length=150)
    email = serializers.EmailField(required=False)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if bool(attrs.get("username")) == bool(attrs.get("email")):
            raise serializers.ValidationError("Give exactly one of username or email.")
        users = get_user_model().objects.filter(is_active=True)
        if attrs.get("username"):
            user = users.filter(username=attrs["username"]).first()
        else:
            user = users.filter(email__iexact=attrs["email"]).order_by("pk").first()
        if user is None:
            raise serializers.ValidationError("No user with that username or email.")
        attrs["user"] = user
        return attrs


class WorkspaceInviteSerializer(InviteSerializer):
    role = serializers.ChoiceField(choices=Membership.Role.choices, default=Membership.Role.MEMBER)

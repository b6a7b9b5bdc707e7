from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from rest_framework import serializers

from workspaces.models import Membership, Workspace


def display_name(user: Any) -> str:
    return user.get_full_name() or user.username


class UserSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField(read_only=True)
    username = serializers.CharField(read_only=True)
    name = serializers.SerializerMethodField()

    def get_name(self, user: Any) -> str:
        return display_name(user)


class WorkspaceSerializer(serializers.ModelSerializer[Workspace]):
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

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from workspaces.models import MapRole
from workspaces.serializers import InviteSerializer, UserSerializer


class MapMemberSerializer(serializers.Serializer[Any]):
    """A person with a role on a map (output only): `explicit` if the role is the map's own."""

    user = UserSerializer()
    role = serializers.CharField(allow_null=True)
    explicit = serializers.BooleanField()


class MapAccessInviteSerializer(InviteSerializer):
    role = serializers.ChoiceField(choices=MapRole.choices)

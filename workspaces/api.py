from __future__ import annotations

import uuid

from django.db.models import OuterRef, Subquery
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from workspaces.access import signed_in, workspace_for
from workspaces.models import Membership, Workspace
from workspaces.serializers import (
    MembershipSerializer,
    WorkspaceInviteSerializer,
    WorkspaceSerializer,
)
from workspaces.services import membership_set, workspace_create


class WorkspaceListView(APIView):
    @extend_schema(responses=WorkspaceSerializer(many=True))
    def get(self, request: Request) -> Response:
        user = signed_in(request.user)
        my_role = Membership.objects.filter(workspace=OuterRef("pk"), user=user)
        workspaces = Workspace.objects.for_user(user).annotate(
            my_role=Subquery(my_role.values("role")[:1])
        )
        return Response(WorkspaceSerializer(workspaces, many=True).data)

    @extend_schema(request=WorkspaceSerializer, responses={201: WorkspaceSerializer})
    def post(self, request: Request) -> Response:
        serializer = WorkspaceSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        workspace = workspace_create(
            name=serializer.validated_data["name"], creator=signed_in(request.user)
        )
        workspace.my_role = Membership.Role.ADMIN  # type: ignore[attr-defined]
        return Response(WorkspaceSerializer(workspace).data, status=status.HTTP_201_CREATED)


class WorkspaceMembersView(APIView):
    @extend_schema(responses=MembershipSerializer(many=True))
    def get(self, request: Request, workspace_id: uuid.UUID) -> Response:
        workspace = workspace_for(request.user, workspace_id)
        members = workspace.memberships.select_related("user").order_by("user__username")
        return Response(MembershipSerializer(members, many=True).data)

    @extend_schema(
        request=WorkspaceInviteSerializer,
        # 201 for a new member, 200 when an existing member's role is changed.
        responses={200: MembershipSerializer, 201: MembershipSerializer},
    )
    def post(self, request: Request, workspace_id: uuid.UUID) -> Response:
        workspace = workspace_for(request.user, workspace_id, admin=True)
        serializer = WorkspaceInviteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        if data["user"] == request.user and data["role"] != Membership.Role.ADMIN:
            raise serializers.ValidationError("You cannot demote yourself.")
        membership, created = membership_set(
            workspace=workspace, user=data["user"], role=data["role"]
        )
        return Response(
            MembershipSerializer(membership).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )

"""Signals other apps listen to without workspaces knowing them (it imports no app)."""

from __future__ import annotations

from django.dispatch import Signal

# Sent by membership_set after a person joins a workspace (not on a role change), with
# workspace, user and role; receivers that reach outside the database wait for on_commit.
member_added = Signal()

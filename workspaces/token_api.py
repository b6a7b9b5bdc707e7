from __future__ import annotations

from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.throttling import ScopedRateThrottle


class TokenView(ObtainAuthToken):
    """`POST /api/auth/token/` → `{"token"}`, throttled per client against password guessing."""

    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "auth"

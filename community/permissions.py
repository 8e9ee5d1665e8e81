"""Who may change what through the API."""

from __future__ import annotations

from typing import Any

from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request
from rest_framework.views import APIView


class IsActiveFanOrReadOnly(BasePermission):
    """Anyone reads; writing takes a signed-in fan who is not suspended."""

    message = "Your account is suspended: you can read, but not write."

    def has_permission(self, request: Request, view: APIView) -> bool:
        if request.method in SAFE_METHODS:
            return True
        user = request.user
        # Nobody signed in: DRF turns this refusal into a 401 that asks for credentials.
        return bool(user and user.is_authenticated and not user.is_suspended)


class IsOwnerOrReadOnly(BasePermission):
    """Writes to an object are for its owner only (`owner`, or `user` where that is the name)."""

    message = "Only its owner can change this."

    def has_object_permission(self, request: Request, view: APIView, obj: Any) -> bool:
        if request.method in SAFE_METHODS:
            return True
        owner_id = getattr(obj, "owner_id", None) or getattr(obj, "user_id", None)
        return owner_id is not None and owner_id == request.user.pk

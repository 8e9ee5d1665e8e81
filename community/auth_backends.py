"""allauth's login backend (usernames ignoring case, or an e-mail address), loading the signed-in
fan on each request together with whether their address is confirmed, which the pages ask, from
the cache when it holds them (community/identity.py)."""

from __future__ import annotations

from allauth.account.auth_backends import AuthenticationBackend as AllauthBackend

from community import identity
from community.models import User


class AuthenticationBackend(AllauthBackend):
    def get_user(self, user_id: int) -> User | None:
        user = identity.fan(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models.functions import Lower


class User(AbstractUser):
    """A fan's account. Custom from the first migration so community fields can grow here."""

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"
        constraints = [
            # "Chaewon" and "chaewon" are the same fan: usernames are unique ignoring case.
            models.UniqueConstraint(Lower("username"), name="community_user_username_ci_unique"),
        ]

"""Background tasks (Django's tasks framework): what a fan shouldn't wait for, like SMTP.

With TASKS_BACKEND=database they are queued and `manage.py db_worker` runs them; by default (and
in tests) they run at once. Arguments must be JSON: pass rendered text, not model instances.
"""

from __future__ import annotations

from django.core.mail import EmailMessage
from django.tasks import task


@task()
def send_email(*, subject: str, body: str, to: list[str]) -> int:
    """One plain-text e-mail from DEFAULT_FROM_EMAIL; returns how many were sent (0 or 1)."""
    return EmailMessage(subject=subject, body=body, to=to).send()

"""Background tasks: e-mail is sent by a task, at once in tests (and by default), or queued in the
database for `manage.py db_worker` with TASKS_BACKEND=database."""

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.core.management import call_command
from django.tasks import TaskResultStatus
from django.tasks.signals import task_enqueued
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from community.tasks import send_email
from tests.community.test_signup_abuse import signup_data
from tests.factories import make_user

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parent.parent
DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


@pytest.fixture
def enqueued() -> Iterator[list[str]]:
    names: list[str] = []

    def record(sender: Any, task_result: Any, **kwargs: Any) -> None:
        names.append(task_result.task.name)

    task_enqueued.connect(record)
    yield names
    task_enqueued.disconnect(record)


def test_an_email_task_runs_at_once_in_tests_and_lands_in_the_outbox():
    result = send_email.enqueue(subject="Hello", body="Body text", to=["fan@example.com"])

    assert result.status == TaskResultStatus.SUCCESSFUL
    assert result.return_value == 1
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject == "Hello"
    assert mail.outbox[0].to == ["fan@example.com"]


def test_confirmation_and_password_reset_mail_go_through_the_task(client, enqueued):
    make_user(email="kazuha@example.com")

    client.post(reverse("password_reset"), {"email": "kazuha@example.com"})
    client.post(reverse("community:signup"), signup_data())

    assert enqueued == ["send_email", "send_email"]
    assert [message.to for message in mail.outbox] == [
        ["kazuha@example.com"],
        ["chaewon@example.com"],
    ]


@pytest.mark.django_db(transaction=True)  # the worker closes connections left mid-transaction
def test_with_the_database_backend_mail_waits_for_the_worker(settings):
    settings.TASKS = DATABASE_TASKS

    send_email.enqueue(subject="Queued", body="Later", to=["fan@example.com"])

    assert mail.outbox == []
    assert DBTaskResult.objects.get().status == TaskResultStatus.READY

    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)

    assert [message.subject for message in mail.outbox] == ["Queued"]
    assert DBTaskResult.objects.get().status == TaskResultStatus.SUCCESSFUL


def _settings_tasks(env: dict[str, str]) -> subprocess.CompletedProcess:
    code = "from django.conf import settings; print(settings.TASKS['default']['BACKEND'])"
    return subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_tasks_backend_comes_from_the_environment():
    assert _settings_tasks({"TASKS_BACKEND": "database"}).stdout.split()[-1] == (
        "django_tasks_db.DatabaseBackend"
    )
    assert _settings_tasks({"TASKS_BACKEND": "immediate"}).stdout.split()[-1] == (
        "django.tasks.backends.immediate.ImmediateBackend"
    )
    wrong = _settings_tasks({"TASKS_BACKEND": "celery"})
    assert wrong.returncode != 0
    assert "TASKS_BACKEND must be immediate or database" in wrong.stderr

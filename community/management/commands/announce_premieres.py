from typing import Any

from django.core.management.base import BaseCommand

from community.premieres import announce_due


class Command(BaseCommand):
    help = (
        "Tell the followers of every premiere that has begun and not been announced. The "
        "premiere task does it at the minute with the database task backend; run this from cron "
        "where tasks run at once (TASKS_BACKEND=immediate), or after a worker was down."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        told = announce_due()
        self.stdout.write(f"{told} follower{'s' if told != 1 else ''} told.")

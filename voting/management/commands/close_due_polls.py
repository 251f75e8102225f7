from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from voting.services.ballots import polls_close_due


class Command(BaseCommand):
    help = "Close the polls whose time limit or written-opinion deadline has passed (run every minute, e.g. from a systemd timer)."

    def handle(self, *args: Any, **options: Any) -> None:
        closed = polls_close_due()
        self.stdout.write(f"{closed} poll(s) closed.")

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from catalog.catalog_io import DEMO_CATALOG, CatalogError, Tally, load_catalog, read_catalog
from catalog.models import Release


class Command(BaseCommand):
    help = (
        "Create or update the catalog from a catalog data file (by default the demo catalog). "
        "If the file has any problem, nothing is written."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "path", nargs="?", type=Path, default=DEMO_CATALOG, help="The JSON file to load."
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing if the catalog already has releases (for first-run setup).",
        )

    def handle(
        self, *args: Any, path: Path, if_empty: bool, verbosity: int, **options: Any
    ) -> None:
        if if_empty and Release.objects.exists():
            self.stdout.write("The catalog already has releases; nothing loaded (--if-empty).")
            return
        try:
            document = read_catalog(path)
            tallies = load_catalog(document, progress=self._progress if verbosity else None)
        except CatalogError as error:
            count = len(error.problems)
            lines = "\n".join(f"  - {problem}" for problem in error.problems)
            raise CommandError(
                f"{path}: {count} problem{'s' if count != 1 else ''}; nothing was written.\n{lines}"
            ) from error
        total = Tally(
            created=sum(tally.created for tally in tallies.values()),
            updated=sum(tally.updated for tally in tallies.values()),
            unchanged=sum(tally.unchanged for tally in tallies.values()),
        )
        self.stdout.write(self.style.SUCCESS(f"Loaded {path}: {total}."))

    def _progress(self, kind: str, tally: Tally) -> None:
        self.stdout.write(f"  {kind.replace('_', ' ')}: {tally}")

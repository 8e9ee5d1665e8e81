from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from catalog.catalog_io import dump_catalog, export_catalog


class Command(BaseCommand):
    help = "Write the whole catalog in the load_catalog file format (to stdout by default)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("-o", "--output", type=Path, help="Write to this file instead.")

    def handle(self, *args: Any, output: Path | None, **options: Any) -> None:
        text = dump_catalog(export_catalog())
        if output is None:
            self.stdout.write(text, ending="")
        else:
            output.write_text(text, encoding="utf-8")
            self.stdout.write(self.style.SUCCESS(f"Wrote {output}."))

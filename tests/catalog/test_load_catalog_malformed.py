"""load_catalog answers every malformed file with a message naming the problem (never a
traceback) and writes nothing; text no database could store is refused on every database."""

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from catalog.catalog_io import FORMAT, CatalogError, load_catalog
from catalog.models import Member

pytestmark = pytest.mark.django_db


def _load(tmp_path: Path, text: str) -> None:
    path = tmp_path / "catalog.json"
    path.write_text(text, encoding="utf-8")
    call_command("load_catalog", str(path), stdout=StringIO())


def _member(name_json: str) -> str:
    return f'{{"format": {FORMAT}, "members": [{{"slug": "kazuha", "stage_name": {name_json}}}]}}'


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[" * 10_000 + "]" * 10_000, "nested more than 32 levels deep"),
        ('{"format": ' + "{" * 5_000, "nested more than 32 levels deep"),
        (_member('"Kazu\\ud800ha"'), "members[0].stage_name: contains a lone surrogate"),
        (_member('"Kazu\\u0000ha"'), "members[0].stage_name: contains a NUL character"),
        ('{"format": 1, "\\u0000": 2}', "a key contains a NUL character"),
    ],
)
def test_a_malformed_file_is_named_not_a_traceback(tmp_path, text, message):
    with pytest.raises(CommandError, match="nothing was written") as refused:
        _load(tmp_path, text)
    assert message in str(refused.value)
    assert not Member.objects.exists()


@pytest.mark.parametrize("name", ["Kazu\x00ha", "Kazu\ud800ha"])
def test_a_document_given_directly_is_refused_field_by_field(name):
    document = {"format": FORMAT, "members": [{"slug": "kazuha", "stage_name": name}]}
    with pytest.raises(CatalogError) as refused:
        load_catalog(document)
    assert any("stage_name" in problem for problem in refused.value.problems)
    assert not Member.objects.exists()

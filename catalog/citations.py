"""Numbered references on a page: each fact cites its sources, listed once at the foot.

A view fetches the sources of every record its page shows with `attach_sources` (one query for
any mix of records: `fetch_sources`, then `attach_fetched`, which a page that reads its sources
its own way uses alone), and hands the template a `References`; the template's {% cite %} tags
number each source the first time a fact cites it, and {% sources_list %} lists them in that
order.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.db.models import Model, Q

from catalog.models import Source


def attach_sources(records: Iterable[Model | None]) -> None:
    """Fetch the sources of these records (any catalog models) in one query; each record keeps
    its own as `cited_sources`, in order."""
    wanted = [record for record in records if record is not None and record.pk is not None]
    if wanted:
        attach_fetched(wanted, fetch_sources(wanted))


def fetch_sources(records: Iterable[Model]) -> list[tuple[str, Source]]:
    """The sources of these records (1 query), each with the name of its record's model."""
    pks: dict[str, set[Any]] = defaultdict(set)
    for record in records:
        pks[record._meta.model_name or ""].add(record.pk)
    condition = Q()
    for model_name, ids in pks.items():
        condition |= Q(
            content_type__app_label="catalog", content_type__model=model_name, object_id__in=ids
        )
    sources = Source.objects.filter(condition).select_related("content_type")
    return [(source.content_type.model, source) for source in sources]


def attach_fetched(records: Iterable[Model], sources: Iterable[tuple[str, Source]]) -> None:
    """Give each record, as `cited_sources`, those of the fetched sources (each with the name of
    its record's model) that are its own, in their order; none is a query."""
    found: dict[tuple[str, Any], list[Source]] = defaultdict(list)
    for model_name, source in sources:
        found[model_name, source.object_id].append(source)
    for record in records:
        record.cited_sources = found[record._meta.model_name or "", record.pk]  # type: ignore[attr-defined]  # attached for the page


def sources_of(record: Model) -> list[Source]:
    """The record's sources as attached, else fetched (a query: attach them first)."""
    attached = getattr(record, "cited_sources", None)
    if attached is None:
        attached = list(record.sources.all())  # type: ignore[attr-defined]  # cited models have sources
        record.cited_sources = attached  # type: ignore[attr-defined]  # attached for the page
    return attached


class References:
    """The page's sources, each numbered the first time a fact cites it. The same address cited
    by several facts keeps its one number."""

    def __init__(self) -> None:
        self.entries: list[Source] = []
        self._numbers: dict[str, int] = {}

    def cite(self, record: Model | None, field: str = "") -> list[int]:
        """The numbers of the sources of the record (field "") or of one of its facts."""
        if record is None:
            return []
        numbers = set()
        for source in sources_of(record):
            if source.field != field:
                continue
            if source.url not in self._numbers:
                self.entries.append(source)
                self._numbers[source.url] = len(self.entries)
            numbers.add(self._numbers[source.url])
        return sorted(numbers)

    def __bool__(self) -> bool:
        return bool(self.entries)


def ranges(numbers: list[int]) -> list[tuple[int, int]]:
    """[1, 2, 3, 5] as [(1, 3), (5, 5)]: runs of consecutive numbers."""
    runs: list[tuple[int, int]] = []
    for number in numbers:
        if runs and runs[-1][1] == number - 1:
            runs[-1] = (runs[-1][0], number)
        else:
            runs.append((number, number))
    return runs

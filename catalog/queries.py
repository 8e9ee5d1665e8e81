"""Querysets shaped for the pages, so each page runs a fixed number of queries."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Model, Prefetch, QuerySet

from catalog.models import Credit, MusicVideo

CARD_FIELDS = (
    "title",
    "native_title",
    "slug",
    "kind",
    "status",
    "verified",
    "published_on",
    "published_on_precision",
    "youtube_id",
    "thumbnail_small",
    "thumbnail_alt",
    "first_published_at",
    "rating_count",
    "rating_sum",
    "updated_at",  # the version in the address of the card's drawing (catalog_tags.drawing)
    "release__title",
    "release__slug",
    "release__updated_at",
)


def featured_credits(lookup: str = "credits") -> Prefetch:
    """Only the featured-artist credits, enough for `display_title` on cards. `lookup`: the
    path to the videos' credits from what is listed (e.g. "comment__video__credits")."""
    return Prefetch(
        lookup,
        queryset=Credit.objects.filter(role=Credit.Role.FEATURED).select_related("person"),
    )


def video_cards(videos: QuerySet[MusicVideo]) -> QuerySet[MusicVideo]:
    """Videos as a card needs them: 2 queries for any number of cards."""
    return videos.select_related("release").only(*CARD_FIELDS).prefetch_related(featured_credits())


class CompiledQuery:
    """A query of one record's rows, its SQL compiled once per process (and database) and run
    again with each record's key (a video's id, its address's slug), if it takes one.

    `build(key)` gives the queryset, narrowed with values_list(). Compiling a queryset took
    most of the Python calls of the video page's catalog queries, run for every page rendered
    from scratch; the SQL and its parameters do not change but for the key.
    """

    def __init__(self, build: Callable[[Any], QuerySet[Any]], mark: Any = 1_987_654_321) -> None:
        # `mark`: a key of the right type that stands for any key while the query is compiled.
        self._build = build
        self._mark = mark
        self._compiled: dict[str, tuple[str, list[Any], list[int], list[Any]]] = {}

    def _compile(self, alias: str) -> tuple[str, list[Any], list[int], list[Any]]:
        compiler = self._build(self._mark).query.get_compiler(alias)
        sql, params = compiler.as_sql()
        slots = [index for index, value in enumerate(params) if value == self._mark]
        fields = [column[0] for column in compiler.select[: compiler.col_count]]
        # {position: (converters, expression)}, as the compiler applies them to its rows.
        converters = list(compiler.get_converters(fields).items())
        return sql, list(params), slots, converters

    def rows(self, key: Any, alias: str = DEFAULT_DB_ALIAS) -> list[tuple[Any, ...]]:
        compiled = self._compiled.get(alias)
        if compiled is None:
            compiled = self._compiled[alias] = self._compile(alias)
        sql, params, slots, converters = compiled
        params = params.copy()
        for slot in slots:
            params[slot] = key
        connection = connections[alias]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows: list[tuple[Any, ...]] = cursor.fetchall()
        if not converters:
            return rows
        converted = []
        for row in rows:
            values = list(row)
            for position, (functions, expression) in converters:
                value = values[position]
                for function in functions:
                    value = function(value, expression, connection)
                values[position] = value
            converted.append(tuple(values))
        return converted


def attnames(model: type[Model], names: Iterable[str]) -> list[str]:
    """The model's concrete fields among `names`, in the model's order (as from_db takes them)."""
    wanted = set(names)
    return [field.attname for field in model._meta.concrete_fields if field.attname in wanted]

"""Querysets turned into SQL once per process, then run again with other values.

On a page rendered from scratch, building and compiling a queryset (the ORM's work before the
database's) cost more Python calls than reading and showing its rows (docs/performance.md,
"Decisions"). A query whose SQL is the same on every page but for a few values (a video's id,
the viewer's, where a page of talk starts) is built once with marks in their place: values of the
right type that no other parameter of the query has (and in the field's range: Django compiles a
lookup of an integer out of range to no statement at all). The first run on a database compiles
it and notes which parameters are the marks; every run puts its own values there and converts
the rows as the ORM does.

A mark that lands nowhere in the statement is an error at once: the query would otherwise run
with the mark's value, not the request's.

Integer marks (for ids, and counts) come from `int_marks`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import DateTimeField, QuerySet

from foundation.any_of import AnyOf

_DATETIME = DateTimeField()

# Below zero, where no id or count is, so no constant a query holds can equal a mark; within a
# 64-bit integer, the range of an id's lookup.
_FIRST_INT_MARK = -8_070_450_532_247_928_000


def int_marks(count: int) -> tuple[int, ...]:
    """`count` distinct integer marks, the same on every call.

    A lookup on a field that takes no value below zero (PositiveBigIntegerField: a generic
    relation's object_id) compiles a mark to no condition at all, and silently where it is one
    of several OR-ed: compare such a field with Value(mark), which Django does not range-check.
    """
    return tuple(range(_FIRST_INT_MARK, _FIRST_INT_MARK + count))


def _adapt(value: Any, connection: Any) -> Any:
    # A moment goes into a statement as its field makes it (text on SQLite), a list of ids as
    # AnyOf makes it; ids, counts and words go in as they are.
    if isinstance(value, datetime):
        return _DATETIME.get_db_prep_value(value, connection)
    if isinstance(value, list):
        return AnyOf.parameter(value, connection)
    return value


@dataclass(frozen=True)
class _Compiled:
    sql: str
    params: list[Any]
    slots: list[list[int]]  # per mark, where its value goes among the params
    converters: list[tuple[int, tuple[list[Any], Any]]]  # as the compiler applies them
    names: list[str]  # the columns' names, as values() reads them


class CompiledQuery:
    """`build(*marks)` gives a values() or values_list() queryset; rows(*values) and
    dicts(*values) run its SQL with `values` where the marks were."""

    def __init__(self, build: Callable[..., QuerySet[Any, Any]], *marks: Any) -> None:
        self._build = build
        self._marks = marks
        self._compiled: dict[str, _Compiled] = {}

    def _compile(self, alias: str) -> _Compiled:
        connection = connections[alias]
        query = self._build(*self._marks).query
        compiler = query.get_compiler(alias)
        sql, params = compiler.as_sql()
        params = list(params)
        slots = []
        for mark in self._marks:
            adapted = _adapt(mark, connection)
            found = [index for index, value in enumerate(params) if value == adapted]
            if not found:
                raise ValueError(f"The mark {mark!r} has no place in the compiled statement.")
            slots.append(found)
        fields = [column[0] for column in compiler.select[: compiler.col_count]]
        names = (
            list(query.selected)
            if query.selected
            else [*query.extra_select, *query.values_select, *query.annotation_select]
        )
        converters = list(compiler.get_converters(fields).items())
        return _Compiled(sql, params, slots, converters, names)

    def rows(self, *values: Any, alias: str = DEFAULT_DB_ALIAS) -> list[tuple[Any, ...]]:
        compiled = self._compiled.get(alias)
        if compiled is None:
            compiled = self._compiled[alias] = self._compile(alias)
        connection = connections[alias]
        params = compiled.params.copy()
        for slots, value in zip(compiled.slots, values, strict=True):
            value = _adapt(value, connection)
            for index in slots:
                params[index] = value
        with connection.cursor() as cursor:
            cursor.execute(compiled.sql, params)
            rows: list[tuple[Any, ...]] = cursor.fetchall()
        if not compiled.converters:
            return rows
        converted = []
        for row in rows:
            columns = list(row)
            for position, (functions, expression) in compiled.converters:
                value = columns[position]
                for function in functions:
                    value = function(value, expression, connection)
                columns[position] = value
            converted.append(tuple(columns))
        return converted

    def dicts(self, *values: Any, alias: str = DEFAULT_DB_ALIAS) -> list[dict[str, Any]]:
        rows = self.rows(*values, alias=alias)
        names = self._compiled[alias].names
        return [dict(zip(names, row, strict=True)) for row in rows]

"""`field IN (values)` with the values as one parameter, however many there are.

Written `IN (%s, %s, …)`, a list of ids makes a statement of its own for each length: a page of
talk that reads its replies by id had up to sixty shapes, each compiled, prepared and planned on
its own, and psycopg parses a statement of more than fifty parameters afresh on every run. As
one parameter (an array on PostgreSQL, a JSON list on SQLite) it is one statement for any count.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from django.db.models import Expression, Lookup


class AnyOf(Lookup):
    """`AnyOf(F("pk"), ids)` in a filter: the rows whose field is one of `ids` (integers)."""

    lookup_name = "any_of"
    prepare_rhs = False

    def __init__(self, lhs: Expression | Any, rhs: Iterable[int]) -> None:
        super().__init__(lhs, [int(value) for value in rhs])

    @staticmethod
    def parameter(values: list[int], connection: Any) -> Any:
        """The statement's one parameter for `values` on this connection (compiled queries put
        their own values in its place)."""
        return values if connection.vendor == "postgresql" else json.dumps(values)

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, tuple[Any, ...]]:
        lhs, params = self.process_lhs(compiler, connection)
        if connection.vendor == "postgresql":
            template = f"{lhs} = ANY(%s)"
        elif connection.vendor == "sqlite":
            template = f"{lhs} IN (SELECT value FROM json_each(%s))"
        else:  # pragma: no cover - the project runs on PostgreSQL and SQLite
            raise NotImplementedError(f"AnyOf on {connection.vendor}")
        return template, (*params, self.parameter(self.rhs, connection))

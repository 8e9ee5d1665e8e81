"""Work that must follow a transaction's commit once, however many writes in it ask for it.

A cache version is moved on at a write and again once the transaction commits: a reader between
the two may have kept the old rows under the new number. A transaction writing a thousand rows
(loading the catalog) needs one move at its commit, not a thousand, so a call is registered once
per transaction for the same function and arguments.

The calls registered are kept in a set beside the connection's list of commit hooks, so a check
costs no scan of the list, and the set is made again from the list whenever Django replaces it
(a commit, a rollback, a savepoint rolled back): what a rolled back savepoint had registered is
registered again by the next write that asks for it.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Hashable
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.base.base import BaseDatabaseWrapper

# On the connection: (its hooks' list, the (function, arguments) registered in it).
_PENDING = "_after_commit_pending"


class _Hook(functools.partial[Any]):
    """A call registered here, told apart from the connection's other hooks."""


def once_after_commit(
    func: Callable[..., Any], *args: Hashable, using: str = DEFAULT_DB_ALIAS
) -> None:
    """`func(*args)` once the transaction on `using` commits, once however many times it is
    asked for in it, and never if it rolls back; at once outside a transaction (as on_commit).
    Robust: an error is logged, and the other hooks still run."""
    _once(connections[using], func, args)


def now_and_after_commit(
    func: Callable[..., Any], *args: Hashable, using: str = DEFAULT_DB_ALIAS
) -> None:
    """`func(*args)` now, and once more when the transaction on `using` commits (once per
    transaction, as once_after_commit) if there is one: a cache version moved on at a write."""
    func(*args)
    connection = connections[using]
    if connection.in_atomic_block:
        _once(connection, func, args)


def _once(
    connection: BaseDatabaseWrapper, func: Callable[..., Any], args: tuple[Hashable, ...]
) -> None:
    if not connection.in_atomic_block:
        connection.on_commit(_Hook(func, *args), robust=True)
        return
    hooks = connection.run_on_commit
    kept = getattr(connection, _PENDING, None)
    if kept is None or kept[0] is not hooks:
        registered = {(h.func, h.args) for _, h, _ in hooks if isinstance(h, _Hook)}  # type: ignore[misc]  # the stubs miss `robust`
        kept = (hooks, registered)
        setattr(connection, _PENDING, kept)
    if (func, args) not in kept[1]:
        kept[1].add((func, args))
        connection.on_commit(_Hook(func, *args), robust=True)

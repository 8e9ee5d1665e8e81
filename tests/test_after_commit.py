"""Work registered for after the commit runs once per transaction and arguments, and never for
a transaction that rolls back."""

import pytest
from django.db import transaction

from foundation.after_commit import now_and_after_commit, once_after_commit

pytestmark = pytest.mark.django_db(transaction=True)  # real commits and rollbacks


@pytest.fixture
def calls():
    return []


@pytest.fixture
def record(calls):
    return lambda *args: calls.append(args)


def test_asked_twice_in_a_transaction_it_runs_once_at_the_commit(calls, record):
    with transaction.atomic():
        once_after_commit(record, "catalog")
        once_after_commit(record, "catalog")
        assert calls == []
    assert calls == [("catalog",)]


def test_each_set_of_arguments_runs_once(calls, record):
    with transaction.atomic():
        for args in [("catalog",), ("fans",), ("catalog",), ("fans", "talk"), ("fans",)]:
            once_after_commit(record, *args)
    assert calls == [("catalog",), ("fans",), ("fans", "talk")]


def test_a_rolled_back_transaction_runs_nothing(calls, record):
    with transaction.atomic():
        once_after_commit(record, "catalog")
        transaction.set_rollback(True)
    assert calls == []
    with transaction.atomic():  # and the next transaction asks afresh
        once_after_commit(record, "catalog")
    assert calls == [("catalog",)]


def test_what_a_rolled_back_savepoint_asked_for_is_asked_for_again(calls, record):
    with transaction.atomic():
        with transaction.atomic():
            once_after_commit(record, "catalog")
            transaction.set_rollback(True)
        once_after_commit(record, "catalog")
    assert calls == [("catalog",)]


def test_outside_a_transaction_it_runs_at_once_every_time(calls, record):
    once_after_commit(record, "catalog")
    once_after_commit(record, "catalog")
    assert calls == [("catalog",), ("catalog",)]


def test_now_and_after_commit_runs_at_each_write_and_once_more_at_the_commit(calls, record):
    with transaction.atomic():
        now_and_after_commit(record, "fan 1")
        now_and_after_commit(record, "fan 1")
        assert calls == [("fan 1",), ("fan 1",)]
    assert calls == [("fan 1",), ("fan 1",), ("fan 1",)]
    now_and_after_commit(record, "fan 2")  # no transaction: its commit is now
    assert calls[3:] == [("fan 2",)]

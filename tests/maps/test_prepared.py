"""maps/prepared.py: the live path's statements prepared once per connection."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from maps import prepared
from maps.prepared import statement_execute

pytestmark = [pytest.mark.django_db, pytest.mark.services]


def _run(sql: str, params: list[object]) -> tuple[list[str], object]:
    """What was sent (the test's savepoints left out) and what the statement found."""
    with CaptureQueriesContext(connection) as queries, connection.cursor() as cursor:
        statement_execute(cursor, sql, params)
        found = cursor.fetchone()[0]
    kinds = [query["sql"].split()[0] for query in queries]
    return [kind for kind in kinds if kind not in ("SAVEPOINT", "RELEASE", "ROLLBACK")], found


def test_a_statement_is_prepared_once_then_only_executed():
    sql = "SELECT %s::integer + %s::integer"

    first, three = _run(sql, [1, 2])
    second, eleven = _run(sql, [5, 6])

    assert (first, three) == (["PREPARE", "EXECUTE"], 3)
    assert (second, eleven) == (["EXECUTE"], 11)


def test_a_statement_postgresql_cannot_prepare_is_run_plain_and_not_tried_again():
    sql = "SELECT %s + %s"  # unknown + unknown: PostgreSQL cannot tell which operator

    first, three = _run(sql, [1, 2])
    second, seven = _run(sql, [3, 4])

    assert (first, three) == (["PREPARE", "SELECT"], 3)
    assert (second, seven) == (["SELECT"], 7)


def test_past_the_limit_statements_are_run_plain(monkeypatch):
    monkeypatch.setattr(prepared, "PREPARED_MAX", 0)

    kinds, found = _run("SELECT %s::integer * 2", [21])

    assert (kinds, found) == (["SELECT"], 42)


@pytest.mark.django_db(transaction=True)
def test_a_new_connection_prepares_again():
    sql = "SELECT %s::integer - 1"
    _run(sql, [1])

    connection.close()
    kinds, found = _run(sql, [10])

    assert (kinds, found) == (["PREPARE", "EXECUTE"], 9)

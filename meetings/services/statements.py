"""Plain statements sent to the database together, for the commands a whole room waits for."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import connection

Statement = tuple[str, Sequence[Any]]


def statements_run(*, statements: Sequence[Statement]) -> list[tuple[Any, ...]]:
    """Run the statements in order and return the rows of the last one (none if it has none).

    On PostgreSQL they go in one round trip, bound on the server (see below). Elsewhere (SQLite,
    where a statement is a function call) they run one by one.
    """
    if connection.vendor == "postgresql":
        return _statements_run_postgresql(statements)
    with connection.cursor() as cursor:
        for sql, params in statements:
            cursor.execute(sql, params)
        return cursor.fetchall() if cursor.description is not None else []


def _statements_run_postgresql(statements: Sequence[Statement]) -> list[tuple[Any, ...]]:
    """Pipelined (one round trip, the transaction's BEGIN included) and bound on the server.

    Django binds parameters on the client, so PostgreSQL parses and plans every statement anew,
    which for a page turn costs more than the round trips. Bound on the server, psycopg prepares
    a statement once it has run `prepare_threshold` times on a connection (settings.py), and
    PostgreSQL plans it no more: a page turn applied after 20 ms of quiet took 3.4 ms against
    3.9 ms (median of 400, interleaved, 2-core VM). Only these statements are bound so; the
    ORM's stay as Django makes them.
    """
    from django.db.backends.postgresql.base import ServerBindingCursor

    connection.ensure_connection()
    # _prepare_cursor wraps the cursor as connection.cursor() does (thread check, query log).
    with connection.wrap_database_errors, connection._prepare_cursor(ServerBindingCursor(connection.connection)) as cursor:
        with connection.connection.pipeline():
            for sql, params in statements:
                cursor.execute(sql, params)
        return cursor.fetchall() if cursor.description is not None else []

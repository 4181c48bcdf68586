"""PostgreSQL fast path for bulk writes: COPY instead of row-by-row statements.

Callers have already established, inside the same transaction, that these rows do not
exist, so COPY has exactly the semantics of the portable ``INSERT`` executemany (constraints
and foreign keys are still checked by the server) at a fraction of the cost per row.
A long-lived :func:`stream` also lets the server check and index rows while the client is
still producing the next ones, so the two processes work in parallel.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager

from sqlalchemy import Connection, MetaData, Table
from sqlalchemy.exc import IntegrityError

try:  # psycopg comes with the [web] extra; a SQLite-only install never reaches the COPY path
    import psycopg
    from psycopg import sql
except ImportError:  # pragma: no cover - exercised by the installed-wheel CI step (.ci/house.sh)
    psycopg = None  # type: ignore[assignment]


def available(conn: Connection) -> bool:
    """True when ``conn`` is PostgreSQL through psycopg 3, whose COPY API we use."""
    return conn.dialect.name == "postgresql" and conn.dialect.driver == "psycopg"


def insert(conn: Connection, table: Table, rows: list[dict]) -> None:
    """Insert ``rows`` (dicts with the same keys) into ``table`` within ``conn``'s transaction.

    Constraint violations raise :class:`sqlalchemy.exc.IntegrityError`, as INSERT would.
    """
    columns = list(rows[0])
    unfilled = [c.name for c in table.columns
                if c.name not in columns and not c.primary_key and c.default is not None]
    if unfilled:
        # COPY would skip Python-side defaults; the portable path applies them.
        conn.execute(table.insert(), rows)
        return
    with stream(conn, table, columns) as write:
        for row in rows:
            write([row[c] for c in columns])


@contextmanager
def stream(conn: Connection, table: Table, columns: Sequence[str]) -> Iterator[Callable[[Sequence], None]]:
    """COPY into ``table``: yields ``write(values)``; leaving the block waits for the server.

    ``conn`` is busy until the block ends: run queries on another connection meanwhile.
    """
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(table.name), sql.SQL(", ").join(map(sql.Identifier, columns)))
    driver = conn.connection.driver_connection
    if driver is None:
        raise RuntimeError("no DBAPI connection to COPY with")
    cursor = driver.cursor()
    try:
        with cursor.copy(statement) as copy:
            yield copy.write_row
    except psycopg.errors.IntegrityError as exc:
        # Callers handle constraint violations the same way on both paths.
        raise IntegrityError(f"COPY {table.name}", None, exc) from exc
    finally:
        cursor.close()


def update(conn: Connection, table: Table, rows: list[dict], key: str = "row_id") -> None:
    """Update ``table`` rows by primary key from dicts of new values plus ``key`` (the id).

    The rows are COPYed into a temporary table and applied with one ``UPDATE … FROM``: one
    statement instead of one per row.
    """
    quote = conn.dialect.identifier_preparer.quote
    fields = [name for name in rows[0] if name != key]
    staging = Table(f"jejak_update_{table.name}", MetaData())  # only its name is used
    pk = quote(table.primary_key.columns.values()[0].name)
    # Identifiers only, from table metadata, quoted by the dialect; values go through COPY.
    conn.exec_driver_sql(
        f"CREATE TEMP TABLE IF NOT EXISTS {quote(staging.name)} ON COMMIT DROP AS "  # noqa: S608  # nosec B608
        f"SELECT {pk} AS {quote(key)}, {', '.join(map(quote, fields))} "
        f"FROM {quote(table.name)} WITH NO DATA")
    conn.exec_driver_sql(f"TRUNCATE {quote(staging.name)}")
    with stream(conn, staging, [key, *fields]) as write:
        for row in rows:
            write([row[key], *(row[f] for f in fields)])
    assignments = ", ".join(f"{quote(f)} = u.{quote(f)}" for f in fields)
    # Quoted identifiers from table metadata, as above.
    conn.exec_driver_sql(
        f"UPDATE {quote(table.name)} AS t SET {assignments} FROM {quote(staging.name)} AS u "  # noqa: S608  # nosec B608
        f"WHERE t.{pk} = u.{quote(key)}")


@contextmanager
def prefer_index_lookups(conn: Connection) -> Iterator[None]:
    """Within the block, steer the planner to the key indexes for ``= ANY(keys)`` look-ups.

    During a bulk load the tables grow faster than their statistics (a fresh table has none),
    and the planner then estimates a look-up of thousands of keys at a large share of the
    table and picks a sequential scan — once per chunk, over an ever larger table. Every
    look-up in the block is by an indexed key and touches a tiny share of rows, so sequential
    scans are discouraged and JIT compilation, pure overhead for such short queries, is off.
    Both settings are restored when the block ends, so later whole-table statements in the
    same transaction are planned normally.
    """
    conn.exec_driver_sql("SET LOCAL enable_seqscan = off")
    conn.exec_driver_sql("SET LOCAL jit = off")
    yield
    # Not reached after an error: the transaction is then rolled back, which undoes SET LOCAL.
    conn.exec_driver_sql("SET LOCAL enable_seqscan TO DEFAULT")
    conn.exec_driver_sql("SET LOCAL jit TO DEFAULT")


def allocate_ids(conn: Connection, table: Table, count: int) -> list[int]:
    """Take ``count`` primary-key values from ``table``'s sequence (for rows about to be COPYed).

    Knowing the ids of new rows up front spares a look-up to find them again later.
    """
    pk = table.primary_key.columns.values()[0].name
    return list(conn.exec_driver_sql(
        "SELECT nextval(pg_get_serial_sequence(%(table)s, %(column)s)) FROM generate_series(1, %(n)s)",
        {"table": table.name, "column": pk, "n": count}).scalars())

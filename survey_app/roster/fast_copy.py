"""PostgreSQL fast path: brand-new rows go in with COPY instead of INSERT statements.

The importer has already established, inside the same transaction, that these rows do not
exist, so COPY has exactly the semantics of the portable ``INSERT`` executemany (constraints
and foreign keys are still checked by the server) at a fraction of the cost per row.
"""
from __future__ import annotations

from sqlalchemy import Connection, Table


def available(conn: Connection) -> bool:
    """True when ``conn`` is PostgreSQL through psycopg 3, whose COPY API we use."""
    return conn.dialect.name == "postgresql" and conn.dialect.driver == "psycopg"


def insert(conn: Connection, table: Table, rows: list[dict]) -> None:
    """Insert ``rows`` (dicts with the same keys) into ``table`` within ``conn``'s transaction."""
    from psycopg import sql

    columns = list(rows[0])
    unfilled = [c.name for c in table.columns
                if c.name not in columns and not c.primary_key and c.default is not None]
    if unfilled:
        # COPY would skip Python-side defaults; the portable path applies them.
        conn.execute(table.insert(), rows)
        return
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(table.name), sql.SQL(", ").join(map(sql.Identifier, columns)))
    cursor = conn.connection.driver_connection.cursor()
    try:
        with cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row([row[c] for c in columns])
    finally:
        cursor.close()

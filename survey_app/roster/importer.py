"""The roster import service: trainings, then alumni, then enrollments, in one transaction.

Rows are upserted by their natural key (training code, alumnus external id, alumnus +
training), so importing the same files twice changes nothing. Files are streamed in chunks:
for each chunk the existing rows are looked up by key, compared, and only new or changed rows
are written — with executemany through SQLAlchemy Core (the portable path, e.g. SQLite), or on
PostgreSQL with COPY (:mod:`survey_app.roster.pg_bulk`) while the next chunk is being parsed.
Memory grows with the number of distinct keys (to spot duplicates within a file), never with
file size. After the import the derived alumnus → category pairs are rebuilt if needed.

Bad rows are reported with file and line. By default they are skipped and everything else is
committed; with ``strict=True`` any bad row rolls the whole import back. A file that cannot be
read at all (:class:`~survey_app.roster.csv_files.FileRefused`) always rolls everything back.
"""
from __future__ import annotations

import os
import queue
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import date
from typing import cast

from sqlalchemy import Connection, Engine, Table, any_, bindparam, select
from sqlalchemy.dialects.postgresql import ARRAY

from survey_app.models import Alumnus, AuditEvent, Enrollment, Training
from survey_app.roster import pg_bulk
from survey_app.roster.csv_files import FileRefused, Record, RecordSource, open_csv
from survey_app.roster.csv_rows import (
    ALUMNUS_COLUMNS,
    ENROLLMENT_COLUMNS,
    TRAINING_COLUMNS,
    TRAINING_OPTIONAL,
    BadRow,
    RowRules,
)
from survey_app.roster.derived import refresh_alumnus_categories

DEFAULT_CHUNK_SIZE = 5000
_END = object()  # marks the end of the chunks handed to the storing worker
KEPT_ERRORS = 1000  # the report keeps this many; ``on_error`` sees every one

_trainings = cast(Table, Training.__table__)  # a declarative model's table
_alumni = cast(Table, Alumnus.__table__)  # a declarative model's table
_enrollments = cast(Table, Enrollment.__table__)  # a declarative model's table
TRAINING_FIELDS = ("title", "provider", "category", "description")
ALUMNUS_FIELDS = ("name", "phone", "email", "province_code", "sex", "birth_year", "cohort")


@dataclass(frozen=True)
class RowError:
    """One refused row: where it is and why."""

    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file} line {self.line}: {self.message}"


@dataclass
class FileReport:
    """What happened to the rows of one file."""

    name: str
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    refused: int = 0
    ignored_columns: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def rows(self) -> int:
        return self.inserted + self.updated + self.unchanged + self.refused


@dataclass
class ImportReport:
    """The outcome of one import; ``committed`` is False in strict mode with bad rows."""

    files: list[FileReport]
    strict: bool
    committed: bool = False
    error_count: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when every row was accepted."""
        return self.error_count == 0


def import_roster_files(
    engine: Engine,
    *,
    alumni: str | os.PathLike,
    enrollments: str | os.PathLike,
    trainings: str | os.PathLike | None = None,
    **options,
) -> ImportReport:
    """Import roster CSV files; see :func:`import_roster` for ``options``.

    Every file's header is checked before anything is written, so a wrong file is refused
    (:class:`FileRefused`) without touching the database.
    """
    training_source = open_csv(trainings, TRAINING_COLUMNS, TRAINING_OPTIONAL) if trainings else None
    alumni_source = open_csv(alumni, ALUMNUS_COLUMNS)
    enrollment_source = open_csv(enrollments, ENROLLMENT_COLUMNS)
    return import_roster(engine, trainings=training_source, alumni=alumni_source, enrollments=enrollment_source,
                         **options)


def import_roster(
    engine: Engine,
    *,
    alumni: RecordSource | None,
    enrollments: RecordSource | None,
    trainings: RecordSource | None = None,
    strict: bool = False,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    on_error: Callable[[RowError], None] | None = None,
    actor: str = "system",
    today: date | None = None,
) -> ImportReport:
    """Upsert trainings, alumni and enrollments from record sources in one transaction.

    ``on_error`` is called with every refused row as it is found (e.g. to write an errors
    file); the report keeps the first :data:`KEPT_ERRORS`. Raises :class:`FileRefused` (after
    rolling back) when a file turns out to be unreadable part-way through.
    """
    if chunk_size < 1:
        raise ValueError("chunk_size must be positive")
    present = [(kind, src) for kind, src in
               (("trainings", trainings), ("alumni", alumni), ("enrollments", enrollments)) if src]
    report = ImportReport([FileReport(src.name, ignored_columns=list(src.ignored_columns))
                           for _, src in present], strict=strict)
    with engine.connect() as conn:
        transaction = conn.begin()
        try:
            run = _ImportRun(conn, report, RowRules(today), chunk_size, on_error)
            with pg_bulk.prefer_index_lookups(conn) if run.copy else nullcontext():
                for (kind, source), file_report in zip(present, report.files):
                    started = time.perf_counter()
                    getattr(run, kind)(source, file_report)
                    file_report.seconds = time.perf_counter() - started
            if strict and not report.ok:
                transaction.rollback()
                return report
            if run.categories_may_have_changed:
                refresh_alumnus_categories(conn)
            _audit(conn, actor, report)
            transaction.commit()
        except BaseException:
            transaction.rollback()
            raise
    report.committed = True
    return report


class _ImportRun:
    """The state of one import: the open connection, the report and the training catalogue."""

    def __init__(self, conn: Connection, report: ImportReport, rules: RowRules, chunk_size: int,
                 on_error: Callable[[RowError], None] | None):
        self.conn = conn
        self.report = report
        self.rules = rules
        self.chunk_size = chunk_size
        self.on_error = on_error
        self.copy = pg_bulk.available(conn)
        self.overlap = self.copy  # see _pipelined
        # On PostgreSQL new alumni get their ids before they are written, so the ids of every
        # alumnus in the file are known without a look-up when their enrollments follow.
        # Costs roughly 100 bytes per alumnus; the portable path looks ids up per chunk.
        self.known_alumni: dict[str, int] | None = {} if self.copy else None
        self._refusing = threading.Lock()
        # SQLite (before 3.32) allows 999 bound variables per statement.
        self.max_keys = 900 if conn.dialect.name == "sqlite" else 5_000
        self.training_ids: dict[str, int] | None = None
        # Whether the derived alumnus → category pairs need rebuilding after the import.
        self.categories_may_have_changed = False

    # -- trainings ---------------------------------------------------------------------------

    def trainings(self, source: RecordSource, report: FileReport) -> None:
        """Upsert the training catalogue (small: it is looked up whole)."""
        existing = {row.code: row for row in self.conn.execute(
            select(_trainings.c.id, _trainings.c.code, *(_trainings.c[f] for f in TRAINING_FIELDS)))}

        def store(chunk: list[tuple[int, dict]]) -> None:
            inserts: list[dict] = []
            updates: list[dict] = []
            for _line, row in chunk:
                before = existing.get(row["code"])
                _classify(row, before, TRAINING_FIELDS, inserts, updates, report)
                if before is not None and before.category != row["category"]:
                    self.categories_may_have_changed = True
            self._write(_trainings, inserts, updates)

        self._pipelined(self._parsed_chunks(source, report, self.rules.training, key="code"), store)
        self.training_ids = None  # reload after changes

    # -- alumni ------------------------------------------------------------------------------

    def alumni(self, source: RecordSource, report: FileReport) -> None:
        """Upsert alumni by external id."""
        columns = (_alumni.c.id, _alumni.c.external_id, *(_alumni.c[f] for f in ALUMNUS_FIELDS))

        def store(chunk: list[tuple[int, dict]]) -> None:
            existing = {row.external_id: row for row in
                        self._select_in(columns, _alumni.c.external_id, [r["external_id"] for _, r in chunk])}
            inserts: list[dict] = []
            updates: list[dict] = []
            for _line, row in chunk:
                _classify(row, existing.get(row["external_id"]), ALUMNUS_FIELDS, inserts, updates, report)
            if self.known_alumni is not None:
                self.known_alumni.update((key, row.id) for key, row in existing.items())
                if inserts:
                    for row, new_id in zip(inserts, pg_bulk.allocate_ids(self.conn, _alumni, len(inserts))):
                        row["id"] = new_id
                        self.known_alumni[row["external_id"]] = new_id
            self._write(_alumni, inserts, updates)

        self._pipelined(self._parsed_chunks(source, report, self.rules.alumnus, key="external_id"), store)

    # -- enrollments -------------------------------------------------------------------------

    def enrollments(self, source: RecordSource, report: FileReport) -> None:
        """Upsert enrollments by (alumnus, training); both must exist by now."""
        training_ids = self._training_ids()
        seen: set[int] = set()

        def store(chunk: list[tuple[int, dict]]) -> None:
            alumnus_ids = self._alumnus_ids({r["external_id"] for _, r in chunk})
            resolved = []
            for line, row in chunk:
                alumnus_id = alumnus_ids.get(row["external_id"])
                training_id = training_ids.get(row["training_code"])
                problems = []
                if alumnus_id is None:
                    problems.append(f"external_id {row['external_id']!r} is not in the roster of alumni")
                if training_id is None:
                    problems.append(f"training_code {row['training_code']!r} is not in the training catalogue")
                if alumnus_id is None or training_id is None:  # i.e. there are problems
                    self._refuse(report, line, "; ".join(problems))
                    continue
                # One int per pair keeps a million keys affordable.
                key = (alumnus_id << 32) | training_id
                if key in seen:
                    self._refuse(report, line, f"duplicate row: external_id {row['external_id']!r} and "
                                               f"training_code {row['training_code']!r} appear earlier in the file")
                    continue
                seen.add(key)
                resolved.append({"alumnus_id": alumnus_id, "training_id": training_id,
                                 "completed_at": row["completed_at"]})
            existing = {(row.alumnus_id, row.training_id): row for row in self._select_in(
                (_enrollments.c.id, _enrollments.c.alumnus_id, _enrollments.c.training_id,
                 _enrollments.c.completed_at),
                _enrollments.c.alumnus_id, list({r["alumnus_id"] for r in resolved}))}
            inserts: list[dict] = []
            updates: list[dict] = []
            for row in resolved:
                _classify(row, existing.get((row["alumnus_id"], row["training_id"])),
                          ("completed_at",), inserts, updates, report)
            if inserts:  # a changed completion date leaves the categories as they are
                self.categories_may_have_changed = True
            self._write(_enrollments, inserts, updates)

        self._pipelined(self._parsed_chunks(source, report, self.rules.enrollment, key=None), store)

    def _alumnus_ids(self, external_ids: set[str]) -> dict[str, int]:
        """Ids of these alumni: from this run's alumni file if seen there, else from the DB."""
        known = self.known_alumni or {}
        found = {key: known[key] for key in external_ids if key in known}
        missing = [key for key in external_ids if key not in found]
        if missing:
            found.update((row.external_id, row.id) for row in self._select_in(
                (_alumni.c.id, _alumni.c.external_id), _alumni.c.external_id, missing))
        return found

    def _training_ids(self) -> dict[str, int]:
        if self.training_ids is None:
            rows = self.conn.execute(select(_trainings.c.code, _trainings.c.id)).all()
            self.training_ids = {code: training_id for code, training_id in rows}
        return self.training_ids

    # -- shared machinery --------------------------------------------------------------------

    def _pipelined(self, chunks: Iterator[list], store: Callable[[list], None]) -> None:
        """Call ``store`` on each chunk, in order, overlapping it with reading the next one.

        Reading and checking rows is Python work; storing a chunk is mostly waiting for the
        database. On PostgreSQL a worker thread stores chunk k while this thread parses chunk
        k+1, so the client and the server work at the same time. The worker alone uses the
        connection while it runs, and chunks are stored strictly in file order, so results are
        the same as storing them one after the other (which SQLite does: its connections
        belong to one thread).
        """
        if not self.overlap:
            for chunk in chunks:
                store(chunk)
            return
        pending: queue.Queue = queue.Queue(maxsize=1)  # at most one parsed chunk waiting
        failures: list[BaseException] = []

        def work() -> None:
            while (chunk := pending.get()) is not _END:
                if not failures:  # after a failure, only drain so that the reader never blocks
                    try:
                        store(chunk)
                    except BaseException as exc:  # noqa: BLE001 - re-raised in the calling thread
                        failures.append(exc)

        worker = threading.Thread(target=work, name="roster-import-writer", daemon=True)
        worker.start()
        try:
            for chunk in chunks:
                if failures:
                    break
                pending.put(chunk)
        finally:
            pending.put(_END)
            worker.join()
        if failures:
            raise failures[0]

    def _parsed_chunks(self, source: RecordSource, report: FileReport, parse: Callable[[dict], dict],
                       key: str | None) -> Iterator[list[tuple[int, dict]]]:
        """Valid rows of ``source`` in chunks; bad rows and repeated keys are refused here."""
        first_line: dict[str, int] = {}
        chunk: list[tuple[int, dict]] = []
        for record in source.records:
            row = self._parse(record, parse, report)
            if row is None:
                continue
            if key is not None:
                earlier = first_line.setdefault(row[key], record.line)
                if earlier != record.line:
                    self._refuse(report, record.line, f"duplicate {key} {row[key]!r} (first on line {earlier})")
                    continue
            chunk.append((record.line, row))
            if len(chunk) >= self.chunk_size:
                yield chunk
                chunk = []
        if chunk:
            yield chunk

    def _parse(self, record: Record, parse: Callable[[dict], dict], report: FileReport) -> dict | None:
        if record.problem:
            self._refuse(report, record.line, record.problem)
            return None
        try:
            return parse(record.values)
        except BadRow as exc:
            self._refuse(report, record.line, str(exc))
            return None

    def _refuse(self, report: FileReport, line: int, message: str) -> None:
        error = RowError(report.name, line, message)
        with self._refusing:  # called from the reading thread and from the storing worker
            report.refused += 1
            self.report.error_count += 1
            if len(self.report.errors) < KEPT_ERRORS:
                self.report.errors.append(error)
            if self.on_error:
                self.on_error(error)

    def _select_in(self, columns: Iterable, key_column, keys: list) -> Iterator:
        """Rows whose ``key_column`` is in ``keys``, in statements small enough for the driver."""
        if self.copy:
            # One array parameter instead of thousands of placeholders: far cheaper to send
            # and to parse, and the statement is compiled once.
            keys_param = bindparam("keys", type_=ARRAY(key_column.type))
            yield from self.conn.execute(select(*columns).where(key_column == any_(keys_param)),
                                         {"keys": keys})
            return
        for start in range(0, len(keys), self.max_keys):
            batch = keys[start:start + self.max_keys]
            yield from self.conn.execute(select(*columns).where(key_column.in_(batch)))

    def _write(self, table, inserts: list[dict], updates: list[dict]) -> None:
        if inserts:
            if self.copy:
                pg_bulk.insert(self.conn, table, inserts)
            else:
                self.conn.execute(table.insert(), inserts)
        if updates:
            if self.copy:
                pg_bulk.update(self.conn, table, updates, key="row_id")
            else:
                self.conn.execute(table.update().where(table.c.id == bindparam("row_id")), updates)


def _classify(row: dict, existing, fields: tuple[str, ...], inserts: list, updates: list,
              report: FileReport) -> None:
    """Queue ``row`` as an insert, an update (when a field differs) or count it unchanged."""
    if existing is None:
        inserts.append(row)
        report.inserted += 1
    elif any(getattr(existing, f) != row[f] for f in fields):
        updates.append({**{f: row[f] for f in fields}, "row_id": existing.id})
        report.updated += 1
    else:
        report.unchanged += 1


def _audit(conn: Connection, actor: str, report: ImportReport) -> None:
    # Roster imports change personal data: the audit log says who, when and how much.
    conn.execute(cast(Table, AuditEvent.__table__).insert().values(
        actor=actor, action="roster.import", target=", ".join(f.name for f in report.files),
        detail={f.name: {"inserted": f.inserted, "updated": f.updated, "unchanged": f.unchanged,
                         "refused": f.refused} for f in report.files},
    ))


__all__ = ["FileRefused", "FileReport", "ImportReport", "RowError", "import_roster",
           "import_roster_files", "DEFAULT_CHUNK_SIZE"]

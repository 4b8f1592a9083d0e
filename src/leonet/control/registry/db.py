"""Where the registry lives: a SQLite file by default, PostgreSQL for many users.

`Database` owns the engines and hands out two kinds of transaction:

* ``read()``: a snapshot to read from, never committed;
* ``write()``: a transaction that first takes the audit chain's head lock, so concurrent
  writers queue and each change and its audit entry commit together or not at all;
* ``write_sql()``: the same transaction on a raw DBAPI cursor, for hot paths (a terminal
  update): no ORM, no pool checkout, about 20x less CPU per small change (measured).

SQLite runs in WAL mode (readers never block the writer) and write transactions start with
``BEGIN IMMEDIATE``, which takes the write lock up front instead of failing on upgrade.
Durability (SQLite docs, "PRAGMA synchronous", WAL mode): with ``NORMAL`` (the default here)
every acknowledged commit survives a crash of leonet itself (kill -9: the WAL is already
written to the operating system), but the last commits may roll back if the *machine* loses
power; ``FULL`` also survives that, at the price of an fsync per commit (a few ms each on
common disks, which caps writes at a few hundred per second). Choose with
``LEONET_SQLITE_SYNCHRONOUS=FULL``; PostgreSQL always syncs commits.

WAL checkpoints (copying the log back into the database file, then an fsync) normally run
inside the COMMIT of whichever write first finds the log past 1,000 pages (SQLite docs,
"Write-Ahead Logging", automatic checkpoint): that write, and every write queued behind the
writer lock, waits for the copy and the fsync. A server asks for
``background_checkpoints``: its connections never checkpoint on commit
(``PRAGMA wal_autocheckpoint=0``) and a thread of their own runs PASSIVE checkpoints, which
take no lock that readers or writers wait for, and rarely a RESTART one so that the log
starts over (`WalCheckpointer`).
"""

from __future__ import annotations

import datetime as dt
import fcntl
import logging
import os
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext, suppress
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, inspect, select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.orm import Session, sessionmaker

from leonet.control.registry.models import AuditHead
from leonet.errors import InputError

ENV_DATABASE_URL = "LEONET_DATABASE_URL"
ENV_SQLITE_SYNCHRONOUS = "LEONET_SQLITE_SYNCHRONOUS"
SQLITE_SYNCHRONOUS = ("NORMAL", "FULL")
DEFAULT_DATABASE_URL = "sqlite:///leonet.db"
MIGRATIONS_DIR = Path(__file__).with_name("migrations")
# Where a `Database.write` transaction keeps the ``(seq, hash)`` of the audit head it locked;
# `leonet.control.registry.audit.append` chains each entry to it and moves it on.
AUDIT_HEAD_KEY = "leonet_audit_head"
# How often the background checkpointer runs. At the service's ~100 writes/s a write adds
# about 3 pages (measured: a WAL restart every ~320 commits of 1,000 pages), so each run copies
# ~300 pages, fewer than one automatic checkpoint's 1,000. Not much more often: the first
# commit after each WAL restart syncs the new log header (SQLite's wal.c does, so that the
# restarted log cannot be written out of order).
CHECKPOINT_INTERVAL_S = 1.0
# The WAL starts over only when a write begins with every page of it copied back, which
# PASSIVE checkpoints rarely achieve under steady writes (one arrives during the copy). Past
# this many pages (64 MiB of 4 KiB pages; about a minute of the load benchmark's writes) a
# RESTART checkpoint with writers held copies the few pages left and lets the log restart:
# writers wait for one sync a minute instead of a copy and two syncs every few seconds.
WAL_RESTART_FRAMES = 16_384

_log = logging.getLogger(__name__)


def resolve_database_url(explicit: str | None = None) -> str:
    """The database URL: ``--db`` if given, else ``$LEONET_DATABASE_URL``, else ``leonet.db``.

    ``postgresql://`` URLs use the psycopg 3 driver (the one leonet installs).

    >>> resolve_database_url("postgresql://u@localhost/leonet")
    'postgresql+psycopg://u@localhost/leonet'
    >>> resolve_database_url("mysql://x")
    Traceback (most recent call last):
    ...
    leonet.errors.InputError: database URL: unsupported database 'mysql'; expected sqlite:///...
    """
    url = explicit or os.environ.get(ENV_DATABASE_URL) or DEFAULT_DATABASE_URL
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise InputError(
            f"cannot read {url!r}; expected sqlite:///PATH or postgresql://USER@HOST/DB",
            "database URL",
        ) from None
    backend = parsed.get_backend_name()
    if backend == "postgresql":
        if parsed.drivername == "postgresql":
            parsed = parsed.set(drivername="postgresql+psycopg")
        return parsed.render_as_string(hide_password=False)
    if backend != "sqlite":
        raise InputError(
            f"unsupported database {backend!r}; expected sqlite:///PATH or "
            "postgresql://USER@HOST/DB",
            "database URL",
        )
    return url


def sqlite_synchronous(explicit: str | None = None) -> str:
    """``NORMAL`` or ``FULL``: from the argument, else ``$LEONET_SQLITE_SYNCHRONOUS``."""
    value = (explicit or os.environ.get(ENV_SQLITE_SYNCHRONOUS) or "NORMAL").upper()
    if value not in SQLITE_SYNCHRONOUS:
        raise InputError(f"{value!r} is not one of {', '.join(SQLITE_SYNCHRONOUS)}",
                         ENV_SQLITE_SYNCHRONOUS)
    return value


def parse_db_time(value: str | dt.datetime | None) -> dt.datetime | None:
    """A time as a raw DBAPI cursor returns it (SQLite: text, PostgreSQL: a naive datetime,
    both UTC), as an aware UTC datetime."""
    if value is None:
        return None
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    return value.replace(tzinfo=dt.UTC)


class SqlWrite:
    """A write transaction on a raw DBAPI cursor, holding the audit head lock (see
    `Database.write_sql`). Queries use ``?`` placeholders on both databases."""

    def __init__(self, cursor, dialect: str, head: tuple[int, str]) -> None:
        self._cursor = cursor
        self.dialect = dialect
        self.head = head  # (seq, hash) of the newest audit entry, as of this transaction

    def _sql(self, sql: str) -> str:
        return sql if self.dialect == "sqlite" else sql.replace("?", "%s")

    def rows(self, sql: str, params: Sequence = ()) -> list[tuple]:
        self._cursor.execute(self._sql(sql), tuple(params))
        return self._cursor.fetchall()

    def execute(self, sql: str, params: Sequence = ()) -> int:
        """Run one statement; returns the number of rows it changed."""
        self._cursor.execute(self._sql(sql), tuple(params))
        return self._cursor.rowcount

    def time(self, instant: dt.datetime) -> str | dt.datetime:
        """``instant`` (aware) as the registry stores times: naive UTC, in SQLite as the text
        SQLAlchemy writes (always with microseconds, so text order is time order)."""
        naive = instant.astimezone(dt.UTC).replace(tzinfo=None)
        if self.dialect != "sqlite":
            return naive
        return naive.strftime("%Y-%m-%d %H:%M:%S.%f")


def _lock_audit_head(session: Session) -> None:
    """Take the audit chain's head lock for this transaction (writers queue here)."""
    head = session.execute(
        select(AuditHead).where(AuditHead.id == 1).with_for_update()
    ).scalar_one()
    session.info[AUDIT_HEAD_KEY] = (head.seq, head.hash)


@dataclass(frozen=True)
class WalCheckpoint:
    """What one ``PRAGMA wal_checkpoint`` did (SQLite docs, "PRAGMA wal_checkpoint")."""

    busy: bool  # it could not run, or (RESTART) not to the end
    log_frames: int  # pages in the WAL
    checkpointed_frames: int  # of those, now copied into the database file


class WalCheckpointer:
    """PASSIVE checkpoints every ``interval_s`` on a thread and a connection of their own.

    PASSIVE copies what no reader still needs and never waits: writers keep committing and
    readers keep reading while it copies and syncs. When the log holds more than
    ``restart_frames`` pages, a RESTART checkpoint runs holding ``writer_lock`` (writers
    queue on it as for any write) so that the next write starts the log over (see
    `WAL_RESTART_FRAMES`).
    """

    def __init__(self, connect: Callable[[], object], interval_s: float,
                 writer_lock: AbstractContextManager,
                 restart_frames: int = WAL_RESTART_FRAMES) -> None:
        self._connect = connect
        self._writer_lock = writer_lock
        self.interval_s = interval_s
        self.restart_frames = restart_frames
        self.runs = 0  # checkpoints tried so far (for tests and diagnostics)
        self.restarts = 0  # of which RESTART checkpoints
        self.ran = threading.Event()  # set after each checkpoint
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="leonet-wal-checkpoint",
                                        daemon=True)

    @property
    def alive(self) -> bool:
        return self._thread.is_alive()

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        """Stop after the checkpoint in progress (SQLite checkpoints once more when the
        last connection closes)."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()

    def _loop(self) -> None:
        connection = self._connect()
        try:
            while not self._stop.wait(self.interval_s):
                try:
                    done = checkpoint(connection, "PASSIVE")
                    if done.log_frames > self.restart_frames:
                        with self._writer_lock:
                            checkpoint(connection, "RESTART")
                        self.restarts += 1
                except Exception as exc:  # e.g. a disk error: keep serving, try again later
                    _log.warning("WAL checkpoint failed: %s", exc)
                self.runs += 1
                self.ran.set()
        finally:
            connection.close()


def checkpoint(connection, mode: str = "PASSIVE") -> WalCheckpoint:
    """One checkpoint (``PASSIVE`` or ``RESTART``) on a DBAPI ``connection`` to a SQLite
    database in WAL mode."""
    if mode not in ("PASSIVE", "RESTART"):
        raise ValueError(f"checkpoint mode {mode!r}: expected PASSIVE or RESTART")
    cursor = connection.cursor()
    try:
        cursor.execute(f"PRAGMA wal_checkpoint({mode})")
        ((busy, log_frames, checkpointed),) = cursor.fetchall()
    finally:
        cursor.close()
    return WalCheckpoint(bool(busy), int(log_frames), int(checkpointed))


def _sqlite_engine(url: str, begin: str, synchronous: str,
                   autocheckpoint: bool = True) -> Engine:
    engine = create_engine(url, pool_size=8, max_overflow=16)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:
        # Autocommit at the driver level: SQLAlchemy's "begin" event below issues BEGIN itself
        # (the pysqlite driver's own transaction handling cannot do BEGIN IMMEDIATE).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA synchronous={synchronous}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        if not autocheckpoint:
            cursor.execute("PRAGMA wal_autocheckpoint=0")  # a `WalCheckpointer` does it
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection) -> None:
        connection.exec_driver_sql(begin)

    return engine


class _WriterLock:
    """A lock for SQLite writers: a thread lock, plus ``flock`` on a file beside the
    database so that several server processes queue too (the kernel wakes the next one at
    once instead of SQLite's sleep-and-retry)."""

    def __init__(self, database: str | None) -> None:
        self._thread_lock = threading.Lock()
        self._path = (None if not database or database == ":memory:"
                      else Path(database).expanduser().resolve().with_name(
                          Path(database).name + "-writer.lock"))
        self._fd: int | None = None

    def __enter__(self) -> None:
        self._thread_lock.acquire()
        if self._path is not None:
            try:
                if self._fd is None:
                    self._fd = os.open(self._path, os.O_RDWR | os.O_CREAT, 0o600)
                fcntl.flock(self._fd, fcntl.LOCK_EX)
            except BaseException:
                self._thread_lock.release()
                raise

    def __exit__(self, *exc) -> None:
        try:
            if self._fd is not None:
                fcntl.flock(self._fd, fcntl.LOCK_UN)
        finally:
            self._thread_lock.release()


class Database:
    """The registry database at ``url`` (see `resolve_database_url`)."""

    def __init__(self, url: str | None = None, sqlite_synchronous_mode: str | None = None,
                 background_checkpoints: bool = False) -> None:
        """``background_checkpoints``: SQLite commits never checkpoint the WAL; call
        `start_checkpoints` to have a thread do it (a server does; short-lived commands
        keep SQLite's automatic checkpoints)."""
        self.url = resolve_database_url(url)
        self.dialect = make_url(self.url).get_backend_name()
        self.checkpointer: WalCheckpointer | None = None
        if self.dialect == "sqlite":
            self._check_sqlite_path()
            synchronous = sqlite_synchronous(sqlite_synchronous_mode)
            auto = not background_checkpoints
            self.engine = _sqlite_engine(self.url, "BEGIN", synchronous, auto)
            self.write_engine = _sqlite_engine(self.url, "BEGIN IMMEDIATE", synchronous, auto)
        else:
            self.engine = create_engine(self.url, pool_size=10, max_overflow=20,
                                        pool_recycle=3600)
            self.write_engine = self.engine
        self._quick = threading.local()
        self._quick_write = threading.local()
        self._quick_connections: list = []
        self._writer_lock = (_WriterLock(make_url(self.url).database)
                             if self.dialect == "sqlite" else nullcontext())
        if self.dialect == "sqlite" and background_checkpoints:
            self.checkpointer = WalCheckpointer(self._detached_connection,
                                                CHECKPOINT_INTERVAL_S, self._writer_lock)
        self._read = sessionmaker(self.engine, expire_on_commit=False)
        self._write = sessionmaker(self.write_engine, expire_on_commit=False)

    def _check_sqlite_path(self) -> None:
        database = make_url(self.url).database
        if database and database != ":memory:":
            parent = Path(database).expanduser().resolve().parent
            if not parent.is_dir():
                raise InputError(f"folder {parent} does not exist", f"database URL {self.url}")
            # Created here, owner-only, before SQLite creates it with the umask (often 0644):
            # it holds token hashes and the audit log. SQLite gives its -wal and -shm files
            # the database file's permissions.
            with suppress(FileExistsError):
                os.close(os.open(Path(database).expanduser(), os.O_CREAT | os.O_EXCL, 0o600))

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A session to read from; whatever it did is rolled back at the end."""
        with self._read() as session:
            yield session

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A write transaction holding the audit head lock; commits when the block ends.

        Anything raised inside rolls the whole transaction back: nothing is stored half-way.
        """
        # SQLite: writers queue on a lock first (threads of this process, then processes
        # sharing the file); SQLite's own busy handler polls with growing sleeps and gives
        # writers waits of up to a second under load.
        with self._writer_lock, self._write() as session, session.begin():
            _lock_audit_head(session)
            yield session

    @contextmanager
    def write_sql(self) -> Iterator[SqlWrite]:
        """As `write`, on a raw DBAPI connection kept per thread: the hot path for small
        changes. Commits when the block ends; anything raised rolls everything back."""
        with self._writer_lock:
            connection = self._thread_connection(self._quick_write, self.write_engine)
            cursor = connection.cursor()
            try:
                # SQLite: take the write lock up front (IMMEDIATE), as `write` does.
                cursor.execute("BEGIN IMMEDIATE" if self.dialect == "sqlite" else "BEGIN")
                lock = "" if self.dialect == "sqlite" else " FOR UPDATE"
                cursor.execute(f"SELECT seq, hash FROM audit_head WHERE id = 1{lock}")
                ((seq, digest),) = cursor.fetchall()
                yield SqlWrite(cursor, self.dialect, (int(seq), str(digest)))
                cursor.execute("COMMIT")
            except BaseException:
                try:
                    cursor.execute("ROLLBACK")
                    cursor.close()
                except Exception:  # the connection is broken: reconnect next time
                    self._quick_write.connection = None
                    connection.close()
                raise
            cursor.close()

    def start_checkpoints(self) -> None:
        """Start the background WAL checkpointer (see `WalCheckpointer`), if this database
        was opened with ``background_checkpoints``; PostgreSQL needs none."""
        if self.checkpointer is not None and not self.checkpointer.alive:
            self.checkpointer.start()

    def _detached_connection(self, engine: Engine | None = None):
        """A DBAPI connection of ``engine`` (the write engine by default) that is ours for
        good: never returned to (or reset by) the pool."""
        connection = (engine or self.write_engine).raw_connection()
        if self.dialect != "sqlite":
            # Transactions are explicit (BEGIN ... COMMIT) on these connections. Set before
            # `detach`, which leaves the proxy without its driver connection.
            connection.driver_connection.autocommit = True
        connection.detach()
        return connection

    def _thread_connection(self, local: threading.local | None = None,
                           engine: Engine | None = None):
        local = self._quick if local is None else local
        connection = getattr(local, "connection", None)
        if connection is None:
            connection = self._detached_connection(engine or self.engine)
            local.connection = connection
            self._quick_connections.append(connection)
        return connection

    def quick(self, *queries: tuple[str, Sequence]) -> list[list[tuple]]:
        """Rows of read-only queries (``?`` placeholders), run in one snapshot on a connection
        kept per thread outside the pool: no ORM, no pool checkout, one round trip each.
        This is the hot path of decisions and of the cache's change feed."""
        connection = self._thread_connection()
        snapshot = len(queries) > 1
        try:
            cursor = connection.cursor()
            if snapshot:
                cursor.execute("BEGIN" if self.dialect == "sqlite"
                               else "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            results = []
            for sql, params in queries:
                if self.dialect != "sqlite":
                    sql = sql.replace("?", "%s")
                cursor.execute(sql, tuple(params))
                results.append(cursor.fetchall())
            if snapshot:
                cursor.execute("COMMIT")
            cursor.close()
        except Exception:
            self._quick.connection = None  # e.g. the server restarted: reconnect next time
            connection.close()
            raise
        return results

    def head_seq(self) -> int:
        """The audit head's sequence number: the change counter caches check on every
        request."""
        ((seq,),) = self.quick(("SELECT seq FROM audit_head WHERE id = 1", ()))[0]
        return int(seq)

    def dispose(self) -> None:
        """Close every connection (before a fork, or at shutdown)."""
        if self.checkpointer is not None and self.checkpointer.alive:
            self.checkpointer.stop()
            # A stopped thread cannot start again: a new one for `start_checkpoints`.
            self.checkpointer = WalCheckpointer(
                self._detached_connection, self.checkpointer.interval_s, self._writer_lock,
                self.checkpointer.restart_frames)
        for connection in self._quick_connections:
            connection.close()
        self._quick_connections.clear()
        self._quick = threading.local()
        self._quick_write = threading.local()
        self.engine.dispose()
        if self.write_engine is not self.engine:
            self.write_engine.dispose()

    def table_names(self) -> set[str]:
        """Tables present in the database (for migration tests and health checks)."""
        with self.engine.connect() as conn:
            return set(inspect(conn).get_table_names())

    def __repr__(self) -> str:
        return f"Database({make_url(self.url).render_as_string(hide_password=True)!r})"

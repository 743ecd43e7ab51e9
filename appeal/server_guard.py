"""Bounds on how long a database server may keep the service waiting, for engines that talk to one over the network.

libpq's own limits (`connect_timeout`, `tcp_user_timeout`) end a wait for a host that has gone silent, but not for
a server whose operating system still acknowledges every packet while the database itself no longer answers (a
frozen process, a disk that stopped, a paused VM behind a proxy). A statement sent to it waits for ever: each
request that touches the database holds a worker thread, the thread pool runs dry, and routing, which is meant to
go on without the database, stops altogether, even after the server recovers. Two guards:

- a deadline: a statement, commit, rollback or ping that has not finished after `timeout` seconds has its
  connection's socket shut down, so that the driver fails at once with a lost-connection error, which SQLAlchemy
  answers by discarding the pool's connections;
- a breaker, one per server: once a call to it has been cut so, or a connection to it could not be made within
  libpq's limit, calls to it (new connections and pooled ones alike) are refused at once, and the callers' usual
  handling of a database error applies (a route goes on without the repeat check, an edit gets 503) without any
  of them paying the wait; every `timeout` seconds, while calls keep coming, one attempt in the background finds
  out whether it answers again. A server that refuses connections at once (restarting) is not held lost.
"""
from __future__ import annotations

import functools
import logging
import os
import socket
import threading
import time
from contextlib import contextmanager
from typing import Callable, Iterator

import psycopg
from sqlalchemy import event
from sqlalchemy.engine import Engine

log = logging.getLogger("appeal.database")
_WATCH_INTERVAL = 0.1  # seconds between two looks at the armed deadlines
_SLOW_CONNECT = 1.0  # seconds after which a failed connection attempt counts as a lost server
# The dialect's methods that wait for the server; each gets a connection, a pool's proxy of one or a cursor first.
_WAITING_METHODS = ("do_ping", "do_execute", "do_executemany", "do_execute_no_params", "do_commit", "do_rollback")


class ServerRefused(psycopg.OperationalError):
    """Raised instead of waiting for a server the breaker holds lost; as a driver error, SQLAlchemy reports it as
    an OperationalError like any failed connection."""


class _Breaker:
    """One server's state. Open after the server was lost: calls to it are refused at once. The first call refused
    after `seconds` starts a trial in the background, so that no caller waits for a server that may still be gone;
    the trial's success closes the breaker, its failure keeps it open for `seconds` more."""

    def __init__(self, server: str, seconds: float, trial: Callable[[], object]):
        self.server = server
        self.seconds = seconds
        self._trial = trial
        self._open_until: float | None = None
        self._trying = False
        self._lock = threading.Lock()
        self._in_trial = threading.local()

    def admit(self) -> None:
        if getattr(self._in_trial, "active", False):
            return
        with self._lock:
            if self._open_until is None:
                return
            if time.monotonic() >= self._open_until and not self._trying:
                self._trying = True
                threading.Thread(target=self._try_again, name="database-trial", daemon=True).start()
            trying = self._trying
        raise ServerRefused(f"database server {self.server} was lost; "
                            + ("being tried again" if trying else "it will be tried again"))

    def _try_again(self) -> None:
        self._in_trial.active = True
        try:
            self._trial()  # a call that the server answers closes the breaker (`answered`)
        except Exception:  # noqa: BLE001 — whatever the reason, the server did not answer: wait as long again
            self.lost()
        finally:
            with self._lock:
                self._trying = False

    def answered(self) -> None:
        with self._lock:
            if self._open_until is None:
                return
            log.info("database server %s answers again", self.server)
            self._open_until = None

    def lost(self) -> None:
        with self._lock:
            if self._open_until is None:
                # INFO: the caller reports the failure itself (a command in its one error line, the service in its
                # log); this says what follows from it.
                log.info("database server %s lost; calls to it refused, and it is tried again every %.0f s",
                         self.server, self.seconds)
            self._open_until = time.monotonic() + self.seconds


class _Deadlines:
    """One watchdog thread for the process: shuts down the socket of every call that outlives its deadline, and
    when one server is found lost, the sockets of every call still waiting for it."""

    def __init__(self) -> None:
        self._armed: dict[object, tuple[float, int, _Breaker]] = {}
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    @contextmanager
    def bound(self, fd: int, seconds: float, breaker: _Breaker) -> Iterator[None]:
        # The watchdog acts on a duplicate of the driver's descriptor, taken now: the socket it shuts down is this
        # call's even if the driver has closed its own descriptor meanwhile and the number went to another socket.
        token, own = object(), os.dup(fd)
        with self._lock:
            self._armed[token] = (time.monotonic() + seconds, own, breaker)
            if self._thread is None:
                self._thread = threading.Thread(target=self._watch, name="database-deadlines", daemon=True)
                self._thread.start()
        try:
            yield
        finally:
            with self._lock:
                armed = self._armed.pop(token, None)
            if armed is not None:  # else the watchdog took it, and closes it
                os.close(own)

    def _watch(self) -> None:
        while True:
            time.sleep(_WATCH_INTERVAL)
            now = time.monotonic()
            with self._lock:
                lost = {breaker for at, _, breaker in self._armed.values() if at <= now}
                cut = [token for token, (_, _, breaker) in self._armed.items() if breaker in lost]
                fds = [self._armed.pop(token)[1] for token in cut]
            for breaker in lost:
                log.warning("database server %s did not answer in time; its connections are cut", breaker.server)
                breaker.lost()
            for fd in fds:
                _shut_down(fd)


def _shut_down(fd: int) -> None:
    """Shuts down the socket `fd` shares with the driver's descriptor, then closes `fd` (the driver's own stays in
    its hands). Never raises: the watchdog must outlive any one socket."""
    try:
        sock = socket.socket(fileno=fd)
    except OSError:
        os.close(fd)
        return
    with sock:
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass  # the peer or the driver ended it first


_DEADLINES = _Deadlines()
_BREAKERS: dict[str, _Breaker] = {}
_BREAKERS_LOCK = threading.Lock()


def _after_fork() -> None:
    # A process forked by a pre-loading process manager has the watchdog's record but not its thread, and locks
    # that another thread may have held at the fork: it starts afresh.
    global _BREAKERS_LOCK
    _DEADLINES.__init__()
    _BREAKERS_LOCK = threading.Lock()
    for breaker in _BREAKERS.values():
        breaker._lock = threading.Lock()


os.register_at_fork(after_in_child=_after_fork)


def _breaker(server: str, seconds: float, trial: Callable[[], object]) -> _Breaker:
    # One per server, shared by the process's engines: the knowledge base, feedback and ticket log learn together
    # that it is gone, and the first engine's trial speaks for all.
    with _BREAKERS_LOCK:
        return _BREAKERS.setdefault(server, _Breaker(server, seconds, trial))


def _driver_connection(target) -> psycopg.Connection | None:
    connection = getattr(target, "dbapi_connection", None) or getattr(target, "connection", None) or target
    return connection if isinstance(connection, psycopg.Connection) else None


def _guarded(method: Callable, seconds: float, breaker: _Breaker, *, ping: bool = False) -> Callable:
    @functools.wraps(method)
    def call(target, *args, **kwargs):
        connection = _driver_connection(target)
        try:
            fd = connection.pgconn.socket
        except (AttributeError, psycopg.Error):  # no connection of ours, or a closed or broken one
            return method(target, *args, **kwargs)  # nothing will reach the server: the driver says what is wrong
        breaker.admit()
        closed_here = False
        try:
            with _DEADLINES.bound(fd, seconds, breaker):
                return method(target, *args, **kwargs)
        except psycopg.Error:
            if ping and not connection.closed:
                # A failed ping leaves the connection of no use, whatever state libpq still reports. Cut off in
                # mid-statement (its server ended the session, as a restart does, while the ping ran) it says ACTIVE,
                # and psycopg raises ProgrammingError from the ping's clean-up, which SQLAlchemy does not take for a
                # disconnect: the checkout failed where it should connect again. Closed, it is replaced.
                connection.close()
                closed_here = True
            raise
        finally:
            # A connection found broken proves nothing about the server: after a routine restart every pooled
            # connection is, and SQLAlchemy then connects again. What opens the breaker is a connection that cannot
            # be made (`guard`'s handle_error) or a call cut at its deadline (`_Deadlines`).
            if not connection.broken and not closed_here:
                breaker.answered()  # if only with an error

    return call


def guard(engine: Engine, timeout: float) -> Engine:
    """Gives a PostgreSQL (psycopg) engine the deadline and the breaker (see the module's doc)."""
    url = engine.url

    def trial() -> None:
        with engine.connect() as connection:
            connection.exec_driver_sql("SELECT 1")

    breaker = _breaker(f"{url.host or 'localhost'}:{url.port or 5432}", timeout, trial)
    dialect = engine.dialect
    for name in _WAITING_METHODS:
        # On this engine's dialect object only: SQLAlchemy offers events before these calls, none around them.
        setattr(dialect, name, _guarded(getattr(dialect, name), timeout, breaker, ping=name == "do_ping"))

    attempt = threading.local()

    @event.listens_for(engine, "do_connect")
    def _refuse_while_lost(*_args) -> None:
        breaker.admit()
        attempt.started = time.monotonic()

    @event.listens_for(engine, "connect")
    def _connected(*_args) -> None:
        breaker.answered()

    @event.listens_for(engine, "handle_error")
    def _not_connected(context) -> None:
        # A connection that failed after making its caller wait (libpq's connect_timeout: a silent host, a hung
        # server) opens the breaker; one refused at once (a server restarting) costs the next caller nothing, so
        # it may try again at once. A failed call on a connection is judged by `_guarded`.
        if context.connection is None and not context.is_pre_ping \
                and not isinstance(context.original_exception, ServerRefused) \
                and time.monotonic() - getattr(attempt, "started", time.monotonic()) >= _SLOW_CONNECT:
            breaker.lost()

    return engine

"""The writers' queue on SQLite: waiting threads go in by order of arrival, and it nests."""

from __future__ import annotations

import threading
import time

import pytest

from diagnostics.storage import store


def _wait_until(condition, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail("timed out waiting for the queue")
        time.sleep(0.001)


def test_waiters_get_the_lock_in_the_order_they_asked_for_it() -> None:
    lock = store.FairLock()
    order: list[int] = []
    threads = []
    with lock:
        for i in range(12):
            thread = threading.Thread(target=lambda i=i: _take(lock, order, i))
            thread.start()
            threads.append(thread)
            # Each waiter is queued before the next one starts.
            _wait_until(lambda n=i + 1: len(lock._queue) == n)
    for thread in threads:
        thread.join(timeout=5)
    assert order == list(range(12))


def _take(lock: store.FairLock, order: list[int], i: int) -> None:
    with lock:
        order.append(i)


def test_the_owner_can_take_it_again_and_others_wait_for_the_outer_release() -> None:
    lock = store.FairLock()
    got_it = threading.Event()
    with lock:
        with lock:
            pass
        other = threading.Thread(target=lambda: _hold(lock, got_it))
        other.start()
        _wait_until(lambda: len(lock._queue) == 1)
        assert not got_it.is_set()  # the inner release did not hand the lock over
    other.join(timeout=5)
    assert got_it.is_set()


def _hold(lock: store.FairLock, flag: threading.Event) -> None:
    with lock:
        flag.set()


def test_writers_on_one_sqlite_file_share_one_queue_and_postgres_needs_none(tmp_path) -> None:
    first = store.make_engine(f"sqlite:///{tmp_path / 'a.db'}")
    again = store.make_engine(f"sqlite:///{tmp_path / 'a.db'}")
    other = store.make_engine(f"sqlite:///{tmp_path / 'b.db'}")
    assert store._writer_turn(first) is store._writer_turn(again)
    assert store._writer_turn(first) is not store._writer_turn(other)
    postgres = store.make_engine("postgresql+psycopg://user@localhost/none")
    assert not isinstance(store._writer_turn(postgres), store.FairLock)

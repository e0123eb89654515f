"""Two connections writing one deal's history: live recording against live recording, and the backfill against
live recording, on a real MariaDB (REPEATABLE READ, as on a bench).

Every writer of a deal's history locks the deal's Opportunity row first and reads the deal's latest row with a
locking read, so the second writer waits for the first to commit and then plans from what the first wrote. The
data here must be committed to be seen by the other connection, so this module has its own throwaway database;
every test uses deals and funnels of its own.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest

from devkit.demo.loader import throwaway_database
from devkit.mariadb import ConnectionSettings, MariaDB
from devkit.schema.ddl import create_schema
from sales_funnel.engine.funnels.backfill.plan import claim_deal, plan_backfill
from sales_funnel.engine.funnels.history import Transition, latest_transition, plan_transition
from sales_funnel.engine.funnels.stages import Funnel, Stage
from tests.builders import make_funnel, make_opportunity, snapshot, write_history

STAGES = (
	Stage("A", "Open", 10, 50, 5),
	Stage("B", "Open", 30, 50, 10),
	Stage("C", "Open", 60, 50, 0),
	Stage("W", "Won", 100, 0, 0),
	Stage("L", "Lost"),
)
T0 = datetime(2026, 3, 1, 9)
NOW = datetime(2026, 6, 1, 12)
LOCK_WAIT_SECONDS = 30  # a test that deadlocks by mistake fails instead of hanging
GIVE_UP_SECONDS = 60
# InnoDB refreshes INNODB_TRX from a cache only when it was last read more than 0.1 s ago: poll slower than that
POLL_SECONDS = 0.2


def at(hours: float) -> datetime:
	return T0 + timedelta(hours=hours)


@pytest.fixture(scope="module")
def shared_database(db_settings: ConnectionSettings) -> Iterator[str]:
	with throwaway_database(db_settings, "sf_test_locks") as name:
		with MariaDB(db_settings.with_database(name), autocommit=True) as conn:
			create_schema(conn)
		yield name


def _connect(settings: ConnectionSettings, name: str, **kwargs: Any) -> MariaDB:
	conn = MariaDB(settings.with_database(name), **kwargs)
	conn.sql(f"SET SESSION innodb_lock_wait_timeout = {LOCK_WAIT_SECONDS}")
	return conn


@pytest.fixture
def conns(
	db_settings: ConnectionSettings, shared_database: str
) -> Iterator[tuple[MariaDB, MariaDB, MariaDB]]:
	"""Two writers (each in its own transaction) and an observer (autocommit) that watches their locks."""
	first = _connect(db_settings, shared_database)
	second = _connect(db_settings, shared_database)
	observer = _connect(db_settings, shared_database, autocommit=True)
	try:
		yield first, second, observer
	finally:
		for conn in (first, second, observer):
			conn.rollback()
			conn.close()


def committed_deal(conn: MariaDB, stages=STAGES) -> tuple[Funnel, str]:
	"""A funnel and an Opportunity in it without history, both committed."""
	tag = secrets.token_hex(4)
	funnel = make_funnel(conn, f"Lock {tag}", stages)
	deal = f"OPP-{tag}"
	make_opportunity(conn, deal, funnel, creation=at(0), modified=at(0), sales_stage="A")
	conn.commit()
	return funnel, deal


def record(conn: MariaDB, funnel: Funnel, deal: str, to_stage: str, when: datetime) -> Transition | None:
	"""What sales_funnel/services/history.py `record_move` does with the database: read the deal's latest row, plan the
	move from it, clear `is_latest` on the deal's rows and insert the new one (no commit)."""
	previous = latest_transition(conn, "Opportunity", deal, for_update=True)
	row = plan_transition(funnel, previous, snapshot(deal), to_stage, when, "user@example.com")
	if row is None:
		return None
	conn.sql(
		"""UPDATE `tabFunnel Stage Transition` SET is_latest = 0
		WHERE deal_doctype = 'Opportunity' AND deal = %(deal)s AND is_latest = 1""",
		{"deal": deal},
	)
	write_history(conn, [row])
	return row


def backfill(conn: MariaDB, plan, deal: str) -> bool:
	"""What sales_funnel/services/backfill.py `apply_plan` does for one deal of a plan made earlier (no commit)."""
	if not claim_deal(conn, deal):
		return False
	write_history(conn, plan.transitions_of(deal))
	return True


class Background:
	"""Run `work` on another thread with `conn` (used by that thread alone until `join`); keep its result or its
	error."""

	def __init__(self, conn: MariaDB, work: Callable[[], Any]):
		self.connection_id = conn.sql("SELECT CONNECTION_ID()")[0][0]
		self.result: Any = None
		self.error: BaseException | None = None

		def run() -> None:
			try:
				self.result = work()
			except BaseException as error:  # reported by join()
				self.error = error

		self.thread = threading.Thread(target=run, daemon=True)
		self.thread.start()

	def join(self) -> Any:
		self.thread.join(GIVE_UP_SECONDS)
		assert not self.thread.is_alive(), "the background writer never finished"
		if self.error is not None:
			raise self.error
		return self.result


def blocked(observer: MariaDB, work: Background) -> bool:
	"""True once the connection of `work` waits for a lock; False when `work` finished without ever waiting."""
	give_up = time.monotonic() + GIVE_UP_SECONDS
	while time.monotonic() < give_up:
		state = observer.sql(
			"SELECT trx_state FROM information_schema.INNODB_TRX WHERE trx_mysql_thread_id = %s",
			(work.connection_id,),
		)
		if state and state[0][0] == "LOCK WAIT":
			return True
		if not work.thread.is_alive():
			return False
		time.sleep(POLL_SECONDS)
	raise AssertionError("the background writer neither waited nor finished")


def rows_of(conn: MariaDB, deal: str) -> list[dict[str, Any]]:
	conn.commit()  # a fresh snapshot: what both writers committed
	return conn.sql(
		"""SELECT from_stage, to_stage, from_position, progress_from, progress_to, is_latest
		FROM `tabFunnel Stage Transition` WHERE deal = %(deal)s ORDER BY transitioned_at, name""",
		{"deal": deal},
		as_dict=True,
	)


def test_the_recorders_read_waits_for_a_recording_in_progress_and_sees_its_row(conns):
	first, second, observer = conns
	funnel, deal = committed_deal(first)
	record(first, funnel, deal, "A", at(1))
	first.commit()
	# the second request has read something already (the deal): its snapshot predates the first's move
	second.sql("SELECT modified FROM `tabOpportunity` WHERE name = %s", (deal,))
	moved = record(first, funnel, deal, "B", at(2))  # not committed yet
	read = Background(second, lambda: latest_transition(second, "Opportunity", deal, for_update=True))
	assert blocked(observer, read), "the second read did not wait for the first recording"
	first.commit()
	seen = read.join()
	assert (seen.from_stage, seen.to_stage, seen.transitioned_at) == ("A", "B", moved.transitioned_at)


def test_overlapping_recordings_continue_one_history(conns):
	first, second, observer = conns
	funnel, deal = committed_deal(first)
	record(first, funnel, deal, "A", at(1))
	first.commit()
	second.sql("SELECT modified FROM `tabOpportunity` WHERE name = %s", (deal,))
	record(first, funnel, deal, "B", at(2))
	later = Background(second, lambda: record(second, funnel, deal, "C", at(3)))
	assert blocked(observer, later)
	first.commit()
	later.join()
	second.commit()
	rows = rows_of(observer, deal)
	assert [(r["from_stage"], r["to_stage"], r["is_latest"]) for r in rows] == [
		(None, "A", 0),
		("A", "B", 0),
		("B", "C", 1),
	]
	assert [(r["progress_from"], r["progress_to"]) for r in rows] == [(0, 1), (1, 2), (2, 3)]


def test_two_recordings_of_a_new_deal_make_one_entry(conns):
	first, second, observer = conns
	funnel, deal = committed_deal(first)
	second.sql("SELECT modified FROM `tabOpportunity` WHERE name = %s", (deal,))
	record(first, funnel, deal, "A", at(1))
	later = Background(second, lambda: record(second, funnel, deal, "B", at(2)))
	assert blocked(observer, later)
	first.commit()
	later.join()
	second.commit()
	rows = rows_of(observer, deal)
	assert [(r["from_stage"], r["to_stage"], r["from_position"], r["is_latest"]) for r in rows] == [
		(None, "A", 0, 0),
		("A", "B", 1, 1),
	]


def test_the_backfill_leaves_a_deal_whose_recording_is_in_progress(conns):
	first, second, observer = conns
	funnel, deal = committed_deal(first)
	plan = plan_backfill(second, NOW, deals=[deal])  # the backfill's batch was read before the move
	assert plan.transitions_of(deal), "the backfill planned the deal's history"
	record(first, funnel, deal, "B", at(5))  # a user moves the deal meanwhile (not committed yet)
	applying = Background(second, lambda: backfill(second, plan, deal))
	assert blocked(observer, applying), "the backfill did not wait for the recording"
	first.commit()
	assert applying.join() is False
	second.commit()
	rows = rows_of(observer, deal)
	assert [(r["from_stage"], r["to_stage"], r["from_position"], r["is_latest"]) for r in rows] == [
		(None, "B", 0, 1)
	]


def test_a_recording_waits_for_the_backfill_of_its_deal_and_continues_its_history(conns):
	first, second, observer = conns
	funnel, deal = committed_deal(first)
	first.sql("SELECT modified FROM `tabOpportunity` WHERE name = %s", (deal,))  # the request's snapshot
	plan = plan_backfill(second, NOW, deals=[deal])
	assert backfill(second, plan, deal) is True  # written, not committed yet
	moving = Background(first, lambda: record(first, funnel, deal, "C", NOW + timedelta(hours=1)))
	assert blocked(observer, moving), "the recording did not wait for the backfill"
	second.commit()
	row = moving.join()
	first.commit()
	assert (row.from_stage, row.from_position) == ("A", 1)
	rows = rows_of(observer, deal)
	assert [(r["from_stage"], r["to_stage"], r["is_latest"]) for r in rows] == [
		(None, "A", 0),
		("A", "C", 1),
	]

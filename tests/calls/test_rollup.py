"""The Call Outcomes rollup on MariaDB: sealed days give the same report as the Call Logs, a late change to a
sealed day is seen at once (the day is read from the Call Logs until it is sealed again), and a change made while
a day is being sealed keeps it unsealed."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pymysql
import pytest

from devkit.mariadb import MariaDB
from sales_funnel.engine.calls.filters import CallFilters, CallScope
from sales_funnel.engine.calls.query import call_counts
from sales_funnel.engine.calls.report import call_outcome_report
from sales_funnel.engine.calls.rollup import (
	DAYS,
	changed_days,
	days_to_seal,
	last_sealable_day,
	mark_changed,
	seal_day,
	seal_days,
	sealed_days,
	sealed_ranges,
	unsealed_ranges,
)
from tests.calls.builders import NOW, WEEK, A, B, call, figures, seed

WEEK_FILTERS = CallFilters(WEEK, WEEK + timedelta(days=6), period="week")


def sealed(db) -> dict[date, tuple[int, int]]:
	return {r[0]: (int(r[1]), int(r[2])) for r in db.sql(f"SELECT day, sealed, changes FROM `tab{DAYS}`")}


def test_days_to_seal_start_at_the_first_call_and_stop_before_yesterday(db):
	seed(db)  # calls from Monday 2 March to Monday 9 March 2026; NOW is Tuesday 10 March
	assert last_sealable_day(NOW) == date(2026, 3, 8)
	assert days_to_seal(db, NOW) == [date(2026, 3, 2) + timedelta(days=i) for i in range(7)]
	assert days_to_seal(db, NOW, limit=2) == [date(2026, 3, 2), date(2026, 3, 3)]
	done = seal_days(db, NOW)
	assert [s.day for s in done] == [date(2026, 3, 2) + timedelta(days=i) for i in range(7)]
	assert all(s.sealed for s in done)
	# Tuesday 3 March: A's two calls (Incoming/Negotiation Started, Outgoing/Not a Target, both answered) and
	# B's ten (Outgoing, answered): 6 Negotiation Started, 2 Meeting Booked, 2 Not a Target
	tuesday = db.sql(
		"""SELECT manager, outcome, calls, incoming, outgoing, answered, answered_incoming, answered_outgoing
		FROM `tabCall Rollup` WHERE day = '2026-03-03' ORDER BY manager, outcome"""
	)
	assert [tuple(r) for r in tuesday] == [
		(A, "Negotiation Started", 1, 1, 0, 1, 1, 0),
		(A, "Not a Target", 1, 0, 1, 1, 0, 1),
		(B, "Meeting Booked", 2, 0, 2, 2, 0, 2),
		(B, "Negotiation Started", 6, 0, 6, 6, 0, 6),
		(B, "Not a Target", 2, 0, 2, 2, 0, 2),
	]
	# Friday 6 March: A's calls 5 (Not a Target, Incoming, Completed) and 10 (none, Outgoing, No Answer)
	friday = db.sql(
		"""SELECT manager, outcome, calls, incoming, outgoing, answered FROM `tabCall Rollup`
		WHERE day = '2026-03-06' ORDER BY outcome"""
	)
	assert [tuple(r) for r in friday] == [(A, "", 1, 0, 1, 0), (A, "Not a Target", 1, 1, 0, 1)]
	assert days_to_seal(db, NOW) == []
	assert days_to_seal(db, NOW + timedelta(days=1)) == [date(2026, 3, 9)]


@pytest.mark.parametrize(
	"filters, scope",
	[
		(CallFilters(WEEK, WEEK + timedelta(days=6), period="week"), None),
		(CallFilters(WEEK, date(2026, 3, 10), period="day"), None),
		(CallFilters(date(2026, 2, 1), date(2026, 3, 31), period="month"), None),
		(CallFilters(WEEK, date(2026, 3, 10), period="week", manager=A), None),
		(CallFilters(WEEK, date(2026, 3, 10), period="day", call_type="Incoming"), None),
		(CallFilters(WEEK, date(2026, 3, 10), period="day", company="Other Co"), None),
		(CallFilters(WEEK, date(2026, 3, 10), period="week"), CallScope(own_of=B)),
	],
)
def test_the_rollup_path_equals_the_call_logs(db, filters, scope):
	seed(db)
	raw = call_counts(db, filters, scope, use_rollup=False)
	seal_days(db, NOW)
	assert sealed_days(db, filters.from_date, filters.to_date)  # the rollup is really read
	rolled = call_counts(db, filters, scope)
	keys = ["manager", "period"]
	assert len(rolled) == len(raw) > 0
	assert (
		rolled.sort_values(keys).reset_index(drop=True).equals(raw.sort_values(keys).reset_index(drop=True))
	)


def test_seed_example_from_the_rollup(db):
	seed(db)
	seal_days(db, NOW)
	result = call_outcome_report(db, WEEK_FILTERS, NOW)
	a, b = figures(result.rows, A), figures(result.rows, B)
	assert (a["calls"], a["incoming"], a["outgoing"], a["answered"]) == (10, 6, 4, 8)
	assert (a["with_outcome"], a["without_outcome"], a["negotiations"]) == (7, 3, 2)
	assert (b["calls"], b["negotiations"], b["meetings"], b["deals"], b["won"]) == (10, 8, 2, 3, 1)


def test_a_late_change_unseals_its_day_and_is_counted_at_once(db):
	seed(db)
	seal_days(db, NOW)
	# A's first call without an outcome (the 8th: Wednesday 4 March, 16:00) gets one
	name = db.sql(
		"""SELECT name FROM `tabCall Log` WHERE employee_user_id = %s AND sf_outcome IS NULL
		ORDER BY start_time LIMIT 1""",
		(A,),
	)[0][0]
	day = db.sql("SELECT DATE(start_time) FROM `tabCall Log` WHERE name = %s", (name,))[0][0]
	db.sql("UPDATE `tabCall Log` SET sf_outcome = 'Negotiation Started' WHERE name = %s", (name,))
	# a change nobody reports is not seen: the sealed day is read from the rollup
	assert figures(call_outcome_report(db, WEEK_FILTERS, NOW).rows, A)["negotiations"] == 2
	assert mark_changed(db, [day, NOW], NOW) == [day]  # today is never sealed: nothing to mark
	assert sealed(db)[day] == (0, 1)
	a = figures(call_outcome_report(db, WEEK_FILTERS, NOW).rows, A)
	assert (a["negotiations"], a["with_outcome"], a["without_outcome"]) == (3, 8, 2)
	assert days_to_seal(db, NOW) == [day]
	assert seal_days(db, NOW)[0].sealed
	assert sealed(db)[day] == (1, 1)
	a = figures(call_outcome_report(db, WEEK_FILTERS, NOW).rows, A)
	assert (a["negotiations"], a["with_outcome"]) == (3, 8)


def test_moving_a_call_to_another_day_marks_both_days(db):
	before = {
		"start_time": datetime(2026, 3, 2, 9),
		"employee_user_id": A,
		"sf_outcome": None,
		"status": "Completed",
	}
	assert changed_days(None, before) == [date(2026, 3, 2)]
	assert changed_days(before, None) == [date(2026, 3, 2)]
	assert changed_days(before, {**before, "sf_outcome_note": "called back"}) == []
	assert changed_days(before, {**before, "start_time": "2026-03-02 09:00:00.000000"}) == []
	assert changed_days(before, {**before, "sf_outcome": "Not a Target"}) == [date(2026, 3, 2)]
	moved = {**before, "start_time": datetime(2026, 3, 4, 9)}
	assert changed_days(before, moved) == [date(2026, 3, 2), date(2026, 3, 4)]
	seed(db)
	seal_days(db, NOW)
	name = call(db, B, datetime(2026, 3, 5, 15), "Meeting Booked")  # a late insert on a sealed day
	mark_changed(db, changed_days(None, {"start_time": datetime(2026, 3, 5, 15)}), NOW)
	b = figures(call_outcome_report(db, WEEK_FILTERS, NOW).rows, B)
	assert (b["calls"], b["meetings"]) == (11, 3)
	db.sql("UPDATE `tabCall Log` SET start_time = '2026-03-02 15:00' WHERE name = %s", (name,))
	mark_changed(
		db,
		changed_days({"start_time": datetime(2026, 3, 5, 15)}, moved | {"start_time": "2026-03-02 15:00:00"}),
		NOW,
	)
	by_day = call_outcome_report(db, CallFilters(WEEK, WEEK + timedelta(days=6), period="day"), NOW).rows
	b_days = by_day[by_day["manager"] == B].set_index("period")["calls"].to_dict()
	assert b_days == {date(2026, 3, 2): 1, date(2026, 3, 3): 10}


def test_a_change_during_sealing_keeps_the_day_unsealed(db):
	seed(db)
	day = date(2026, 3, 3)

	class ChangedMeanwhile:
		"""A Call Log change on `day` commits while the job rebuilds the day's rows."""

		def __init__(self, inner):
			self.inner = inner

		def sql(self, query, values=None, as_dict=False):
			rows = self.inner.sql(query, values, as_dict=as_dict)
			if query.lstrip().startswith("INSERT INTO `tabCall Rollup` "):
				mark_changed(self.inner, [day], NOW)
			return rows

	assert not seal_day(ChangedMeanwhile(db), day, NOW).sealed
	assert sealed(db)[day] == (0, 1)
	assert days_to_seal(db, NOW)[1] == day
	assert seal_day(db, day, NOW).sealed


def test_sealing_waits_for_an_uncommitted_change_of_the_day(db_settings, scratch_database):
	"""The seal's final write needs the day's row, which an open change holds until it commits."""
	day = date(2020, 1, 6)  # a day no other test uses; committed rows are removed at the end
	with MariaDB(db_settings.with_database(scratch_database), autocommit=True) as setup:
		seal_day(setup, day, NOW)
	try:
		with (
			MariaDB(db_settings.with_database(scratch_database)) as change,
			MariaDB(db_settings.with_database(scratch_database)) as job,
		):
			mark_changed(change, [day], NOW)  # not committed yet
			job.sql("SET SESSION innodb_lock_wait_timeout = 1")
			with pytest.raises(pymysql.err.OperationalError) as error:
				seal_day(job, day, NOW)
			assert error.value.args[0] == 1205  # lock wait timeout
			job.rollback()
			change.commit()
			assert sealed(job)[day] == (0, 1)
	finally:
		with MariaDB(db_settings.with_database(scratch_database), autocommit=True) as cleanup:
			cleanup.sql(f"DELETE FROM `tab{DAYS}` WHERE day = %s", (day,))
			cleanup.sql("DELETE FROM `tabCall Rollup` WHERE day = %s", (day,))


def test_unsealed_ranges():
	first, last = date(2026, 3, 1), date(2026, 3, 7)
	assert unsealed_ranges(first, last, set()) == [(first, date(2026, 3, 8))]
	sealed_set = {date(2026, 3, 2), date(2026, 3, 3), date(2026, 3, 6)}
	assert unsealed_ranges(first, last, sealed_set) == [
		(date(2026, 3, 1), date(2026, 3, 2)),
		(date(2026, 3, 4), date(2026, 3, 6)),
		(date(2026, 3, 7), date(2026, 3, 8)),
	]
	assert unsealed_ranges(first, last, {first + timedelta(days=i) for i in range(7)}) == []
	assert unsealed_ranges(first, last, {date(2026, 2, 28), date(2026, 3, 9)}) == [(first, date(2026, 3, 8))]


def test_sealed_ranges_are_the_complement():
	first, last = date(2026, 3, 1), date(2026, 3, 7)
	assert sealed_ranges(first, last, set()) == []
	sealed_set = {date(2026, 2, 28), date(2026, 3, 2), date(2026, 3, 3), date(2026, 3, 6), date(2026, 3, 8)}
	assert sealed_ranges(first, last, sealed_set) == [
		(date(2026, 3, 2), date(2026, 3, 4)),
		(date(2026, 3, 6), date(2026, 3, 7)),
	]
	every = {first + timedelta(days=i) for i in range(7)}
	assert sealed_ranges(first, last, every) == [(first, date(2026, 3, 8))]


def test_ranges_of_a_millennium_walk_the_sealed_days_only():
	first, last = date(1900, 1, 1), date(2999, 12, 31)
	sealed_set = {date(2026, 3, 2)}
	assert unsealed_ranges(first, last, sealed_set) == [
		(first, date(2026, 3, 2)),
		(date(2026, 3, 3), date(3000, 1, 1)),
	]
	assert sealed_ranges(first, last, sealed_set) == [(date(2026, 3, 2), date(2026, 3, 3))]


def test_demo_company_report_is_the_same_from_the_rollup(demo_db):
	start, end = demo_db.sql("SELECT MIN(start_time), MAX(start_time) FROM `tabCall Log`")[0]
	filters = CallFilters(start.date(), end.date(), period="month")
	raw = call_outcome_report(demo_db, filters, NOW)
	now = datetime.combine(end.date(), datetime.min.time()) + timedelta(days=1, hours=12)
	done = seal_days(demo_db, now, limit=None)
	assert len(done) == (end.date() - start.date()).days and all(s.sealed for s in done)
	rolled = call_outcome_report(demo_db, filters, NOW)
	assert rolled.rows.equals(raw.rows) and rolled.total == raw.total
	assert raw.total["calls"] == demo_db.sql("SELECT COUNT(*) FROM `tabCall Log`")[0][0]

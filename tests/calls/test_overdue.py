"""Calls without an outcome on edge times: the reminder job's selection and the daily digest."""

from __future__ import annotations

from datetime import timedelta

import pytest

from sales_funnel.engine.calls.overdue import missing_outcome_digest, overdue_calls
from sales_funnel.engine.i18n import InvalidInput
from tests.builders import insert
from tests.calls.builders import NOW, A, B, call


def test_overdue_boundary_employee_status_and_todos(db):
	grace = timedelta(hours=2)
	at_limit = call(db, A, NOW - grace - timedelta(minutes=5))  # ended exactly NOW - grace
	just_inside = call(db, A, NOW - grace - timedelta(minutes=5) + timedelta(seconds=1))
	no_end = call(db, A, NOW - grace, end_time=None)  # falls back to start_time: exactly at the limit
	nobody = call(db, None, NOW - timedelta(hours=5))
	cancelled = call(db, A, NOW - timedelta(hours=5), status="Canceled")
	no_answer = call(db, A, NOW - timedelta(hours=5), status="No Answer")
	done = call(db, A, NOW - timedelta(hours=5), "Not a Target")
	reminded = call(db, B, NOW - timedelta(hours=5))
	closed_reminder = call(db, B, NOW - timedelta(hours=6))
	old = call(db, B, NOW - timedelta(days=30))
	insert(
		db,
		"ToDo",
		[
			{"name": "td1", "status": "Open", "reference_type": "Call Log", "reference_name": reminded},
			{
				"name": "td2",
				"status": "Closed",
				"reference_type": "Call Log",
				"reference_name": closed_reminder,
			},
		],
	)
	result = overdue_calls(db, NOW, since=NOW - timedelta(days=7))
	assert [c.call for c in result.with_employee] == [at_limit, no_end]
	assert result.with_employee[0].due_at == NOW
	assert [c.call for c in result.without_employee] == [nobody]
	assert just_inside not in {c.call for c in result.with_employee}
	with_no_answer = overdue_calls(
		db, NOW, statuses=("Completed", "No Answer"), since=NOW - timedelta(days=7)
	)
	assert no_answer in {c.call for c in with_no_answer.with_employee}
	assert cancelled not in {c.call for c in with_no_answer.with_employee}
	assert old in {c.call for c in overdue_calls(db, NOW).with_employee}  # no `since`: everything
	assert done not in {c.call for c in overdue_calls(db, NOW).with_employee}
	# one second later the other call is due too; a zero grace period makes every ended call due
	assert just_inside in {c.call for c in overdue_calls(db, NOW + timedelta(seconds=1)).with_employee}
	limited = overdue_calls(db, NOW, grace_hours=0, limit=2)  # the oldest two, with or without an employee
	assert [c.call for c in limited.with_employee + limited.without_employee] == [old, nobody]
	with pytest.raises(InvalidInput):
		overdue_calls(db, NOW, grace_hours=-1)
	with pytest.raises(InvalidInput):
		overdue_calls(db, NOW, statuses=())


def test_digest_counts_missing_per_employee(db):
	for hours in (3, 4, 5):
		call(db, A, NOW - timedelta(hours=hours))
	call(db, A, NOW - timedelta(hours=3), "Not a Target")
	call(db, A, NOW - timedelta(minutes=30))  # still within the grace period
	call(db, B, NOW - timedelta(hours=3))
	insert(
		db, "ToDo", [{"name": "tdx", "status": "Open", "reference_type": "Call Log", "reference_name": "x"}]
	)
	call(db, None, NOW - timedelta(hours=3))
	call(db, B, NOW - timedelta(hours=3), "Not a Target")
	digest = missing_outcome_digest(db, NOW, since=NOW - timedelta(days=1))
	assert list(digest["employee"]) == [A, "", B]
	assert list(digest["missing"]) == [3, 1, 1]
	assert list(digest["due"]) == [4, 1, 2]
	assert digest.iloc[0]["oldest_missing"] == NOW - timedelta(hours=5)

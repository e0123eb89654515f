"""The Call Outcomes report on MariaDB with hand-computed figures (the issue's seed example): per manager and
period, the filters and scope, deals from calls, the widest range, a CRC32 collision, the demo company."""

from __future__ import annotations

from datetime import date, timedelta

from devkit.mariadb import Row
from sales_funnel.engine.calls.filters import NOT_SET, CallFilters, CallScope
from sales_funnel.engine.calls.report import call_outcome_report
from tests.calls.builders import NOW, WEEK, A, B, figures, seed


def test_seed_example_per_manager_and_week(db):
	seed(db)
	result = call_outcome_report(db, CallFilters(WEEK, WEEK + timedelta(days=6), period="week"), NOW)
	a, b = figures(result.rows, A), figures(result.rows, B)
	assert a["period"] == WEEK and b["period"] == WEEK
	assert (a["calls"], a["incoming"], a["outgoing"], a["answered"]) == (10, 6, 4, 8)
	assert (a["with_outcome"], a["without_outcome"], a["outcome_pct"]) == (7, 3, 70.0)
	assert (a["negotiations"], a["negotiations_per_10"], a["meetings"]) == (2, 2.0, 0)
	assert (a["deals"], a["won"]) == (2, 1)  # OPP-A2 is Converted
	assert (b["calls"], b["incoming"], b["outgoing"], b["answered"]) == (10, 0, 10, 10)
	assert (b["with_outcome"], b["without_outcome"], b["outcome_pct"]) == (10, 0, 100.0)
	assert (b["negotiations"], b["negotiations_per_10"], b["meetings"]) == (8, 8.0, 2)
	# OPP-B1 is linked from two calls and counted once; OPP-B2 is at its funnel's Won stage, OPP-B3 is not; OPP-OLD
	# was created before the period and OPP-WEB without a call
	assert (b["deals"], b["won"]) == (3, 1)
	nobody = figures(result.rows, NOT_SET)
	assert (nobody["calls"], nobody["without_outcome"]) == (1, 1)
	assert result.total["calls"] == 21 and result.total["negotiations"] == 10
	assert result.total["deals"] == 5 and result.total["won"] == 2


def test_days_split_and_managers_add_up(db):
	seed(db)
	result = call_outcome_report(db, CallFilters(WEEK, WEEK + timedelta(days=6), period="day"), NOW)
	a_days = result.rows[result.rows["manager"] == A]
	assert list(a_days["calls"]) == [2, 2, 2, 2, 2]
	assert sorted(a_days["period"]) == [WEEK + timedelta(days=i) for i in range(5)]
	assert figures(result.managers, A)["calls"] == 10
	assert figures(result.managers, A)["negotiations_per_10"] == 2.0
	month = call_outcome_report(db, CallFilters(WEEK, date(2026, 3, 31), period="month"), NOW)
	assert figures(month.rows, A)["period"] == date(2026, 3, 1)
	assert figures(month.rows, A)["calls"] == 11  # with the call of the next week


def test_filters_company_manager_type_and_scope(db):
	seed(db)
	week = (WEEK, WEEK + timedelta(days=6))
	by_company = call_outcome_report(db, CallFilters(*week, company="Test Co"), NOW)
	assert list(by_company.rows["manager"]) == [A]
	by_manager = call_outcome_report(db, CallFilters(*week, manager=B), NOW)
	assert list(by_manager.rows["manager"]) == [B]
	incoming = call_outcome_report(db, CallFilters(*week, call_type="Incoming"), NOW)
	assert figures(incoming.rows, A)["calls"] == 6
	own = call_outcome_report(db, CallFilters(*week), NOW, scope=CallScope(own_of=B))
	assert list(own.rows["manager"]) == [B]
	empty = call_outcome_report(db, CallFilters(date(2020, 1, 1), date(2020, 1, 2)), NOW)
	assert empty.rows.empty and empty.total["calls"] == 0


def test_the_widest_range_runs(db):
	"""From the first to the last allowed date, by day: no overflow, and the range is not walked day by day."""
	seed(db)
	result = call_outcome_report(db, CallFilters(date(1900, 1, 1), date(2999, 12, 31), period="day"), NOW)
	century = call_outcome_report(db, CallFilters(date(2000, 1, 1), date(2099, 12, 31), period="day"), NOW)
	assert result.total["calls"] == century.total["calls"] == 22
	assert result.rows.equals(century.rows)


def test_a_crc32_collision_falls_back_to_grouping_on_the_name(db):
	seed(db)

	class Colliding:
		"""Reports a collision in the first group of every CRC32-grouped query."""

		def __init__(self, inner):
			self.inner, self.queries = inner, []

		def sql(self, query, values=None, as_dict=False):
			self.queries.append(query)
			rows = self.inner.sql(query, values, as_dict=as_dict)
			if as_dict and "CRC32" in query and rows:
				rows[0] = Row(rows[0], manager_check="someone-else@example.com")
			return rows

	wrapped = Colliding(db)
	result = call_outcome_report(wrapped, CallFilters(WEEK, WEEK + timedelta(days=6)), NOW)
	# only the deals are grouped on CRC32 (the calls come from the rollup or a small live range, by name)
	assert sum("CRC32" not in q and "GROUP BY IFNULL(o.opportunity_owner" in q for q in wrapped.queries) == 1
	assert figures(result.rows, A)["calls"] == 10 and figures(result.rows, B)["deals"] == 3


def test_deals_by_call_type_read_the_calls(db):
	seed(db)
	week = CallFilters(WEEK, WEEK + timedelta(days=6), call_type="Outgoing")
	rows = call_outcome_report(db, week, NOW).rows
	# A's deal calls are incoming (calls 1-2), so none of A's deals came from an outgoing call; B's calls all are
	assert figures(rows, A)["deals"] == 0
	assert (figures(rows, B)["deals"], figures(rows, B)["won"]) == (3, 1)


def test_demo_company_report_is_consistent(demo_db):
	rows = demo_db.sql("SELECT MIN(start_time), MAX(start_time) FROM `tabCall Log`")
	start, end = rows[0]
	result = call_outcome_report(demo_db, CallFilters(start.date(), end.date(), period="month"), NOW)
	total = demo_db.sql("SELECT COUNT(*), SUM(IFNULL(sf_outcome, '') != '') FROM `tabCall Log`")[0]
	assert result.total["calls"] == total[0] and result.total["with_outcome"] == int(total[1])
	assert (result.rows["negotiations"] <= result.rows["with_outcome"]).all()
	assert (result.rows["won"] <= result.rows["deals"]).all()
	assert result.managers["calls"].sum() == total[0]
	deals = demo_db.sql(
		"""SELECT COUNT(*) FROM `tabOpportunity` o WHERE o.creation >= %s AND o.creation < %s AND o.name IN (
			SELECT link_name FROM `tabDynamic Link` WHERE parenttype = 'Call Log' AND link_doctype = 'Opportunity')""",
		(start.date(), end.date() + timedelta(days=1)),
	)[0][0]
	assert result.total["deals"] == deals > 0

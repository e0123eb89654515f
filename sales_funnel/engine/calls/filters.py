"""What the Call Outcomes report and its drill-down are asked for: the filters, who may see which calls, their
checks, and their SQL conditions on a table of calls (`tabCall Log`, `tabCall Rollup`) or of deals.

A call belongs to its manager, `Call Log.employee_user_id` (calls without one are "(not set)"), and to the period
bucket of its `start_time` (day; week starting Monday; month). A manager's company is `Employee.company` of the
Employee whose user they are.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sales_funnel.engine.i18n import InvalidInput, Message, _

PERIODS = ("day", "week", "month")
# the report's Period filter (a Select) -> the engine's period
PERIOD_LABELS = {"Day": "day", "Week": "week", "Month": "month"}
CALL_TYPES = ("Incoming", "Outgoing")
NOT_SET = _("(not set)")  # the manager of calls without an employee
# the report's dates: wide enough for any real history and plan, far enough from date.min / date.max that the
# day after To Date and the Monday of From Date's week exist
FIRST_DATE = date(1900, 1, 1)
LAST_DATE = date(2999, 12, 31)


@dataclass(frozen=True)
class CallFilters:
	from_date: date
	to_date: date
	period: str = "week"
	company: str | None = None  # the managers' company (Employee.company of the employee user)
	manager: str | None = None  # an employee user
	call_type: str | None = None  # Incoming / Outgoing


@dataclass(frozen=True)
class CallScope:
	"""Which calls a user may see: a Sales Manager all (`own_of` None), anyone else their own calls."""

	own_of: str | None = None


def call_filters(filters: Mapping[str, Any]) -> CallFilters:
	"""The engine's filters from the report's (its dates already parsed): Period "Day"/"Week"/"Month" (none is
	Week), empty texts as None. An unknown period passes through, lowercased, for `validate_filters` to reject."""
	period = filters.get("period")
	return CallFilters(
		from_date=filters.get("from_date"),
		to_date=filters.get("to_date"),
		period=PERIOD_LABELS.get(period or "Week", str(period).lower()),
		company=filters.get("company") or None,
		manager=filters.get("manager") or None,
		call_type=filters.get("call_type") or None,
	)


def validate_filters(filters: CallFilters) -> None:
	if filters.from_date is None or filters.to_date is None:
		raise InvalidInput(Message(_("Choose both a From Date and a To Date.")))
	for label, value in ((_("From Date"), filters.from_date), (_("To Date"), filters.to_date)):
		if not FIRST_DATE <= value <= LAST_DATE:
			raise InvalidInput(
				Message(
					_("{0} {1} is out of range: use a date from {2} to {3}."),
					(label, value, FIRST_DATE, LAST_DATE),
				)
			)
	if filters.from_date > filters.to_date:
		raise InvalidInput(
			Message(_("From Date {0} is after To Date {1}."), (filters.from_date, filters.to_date))
		)
	if filters.period not in PERIODS:
		raise InvalidInput(
			Message(_("Unknown period {0}: use one of {1}."), (filters.period, ", ".join(PERIODS)))
		)
	if filters.call_type and filters.call_type not in CALL_TYPES:
		raise InvalidInput(
			Message(_("Unknown call type {0}: use Incoming or Outgoing."), (filters.call_type,))
		)


def period_bounds(filters: CallFilters) -> tuple[datetime, datetime]:
	"""[start, end): the first and the day after the last day of the filters, at midnight."""
	return (
		datetime.combine(filters.from_date, datetime.min.time()),
		datetime.combine(filters.to_date + timedelta(days=1), datetime.min.time()),
	)


def calls_where(filters: CallFilters, scope: CallScope | None, values: dict[str, Any]) -> str:
	"""The calls of the filters, as a WHERE clause on `tabCall Log` c (values added to `values`)."""
	values["start"], values["end"] = period_bounds(filters)
	where = "c.start_time >= %(start)s AND c.start_time < %(end)s"
	return where + who_sql(filters, scope, values, "c.employee_user_id", "c.`type`")


def who_sql(
	filters: CallFilters, scope: CallScope | None, values: dict[str, Any], manager: str, call_type: str
) -> str:
	"""The manager, call type, company and scope conditions on the given columns (each ` AND …`)."""
	where = ""
	if filters.manager:
		values["manager"] = filters.manager
		where += f" AND {manager} = %(manager)s"
	if filters.call_type:
		values["call_type"] = filters.call_type
		where += f" AND {call_type} = %(call_type)s"
	if filters.company:
		values["company"] = filters.company
		where += (
			f" AND {manager} IN (SELECT e.user_id FROM `tabEmployee` e"
			" WHERE e.company = %(company)s AND e.user_id IS NOT NULL)"
		)
	if scope is not None and scope.own_of is not None:
		values["scope_user"] = scope.own_of
		where += f" AND {manager} = %(scope_user)s"
	return where

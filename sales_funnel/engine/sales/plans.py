"""Sales Plans: periods, metrics and the validation of a plan's target rows.

A plan is for one company and one period (Month, Quarter, Half-year or Year, starting on the period's first
day). Each row sets a target for one scope (a Sales Person, who may be a group, i.e. a department, or the whole
Company) and one metric. A scope and metric has at most one target per period, across all of the company's
plans that are not cancelled.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sales_funnel.engine.dates import add_months
from sales_funnel.engine.db import Database
from sales_funnel.engine.i18n import InvalidInput, Message, _
from sales_funnel.engine.inputs import MAX_TARGET, check_company, check_date, real_number

PERIOD_MONTHS = {"Month": 1, "Quarter": 3, "Half-year": 6, "Year": 12}
PERIOD_TYPES = tuple(PERIOD_MONTHS)
SCOPE_SALES_PERSON, SCOPE_COMPANY = "Sales Person", "Company"
SCOPE_TYPES = (SCOPE_SALES_PERSON, SCOPE_COMPANY)

# metric label (the Select option in Sales Plan Target) -> key used in facts and report columns
METRICS: dict[str, str] = {
	"Invoiced Revenue": "invoiced_revenue",
	"Payments Received": "payments_received",
	"Gross Margin": "gross_margin",
	"Won Deals": "won_deals",
	"Won Amount": "won_amount",
	"New Deals": "new_deals",
	"Calls With Outcome": "calls_with_outcome",
	"Meetings Booked": "meetings_booked",
}
METRIC_LABELS = {key: label for label, key in METRICS.items()}
METRIC_KEYS = tuple(METRICS.values())
# translatable labels of the options above, for the extractor
_METRIC_TEXTS = (
	_("Invoiced Revenue"),
	_("Payments Received"),
	_("Gross Margin"),
	_("Won Deals"),
	_("Won Amount"),
	_("New Deals"),
	_("Calls With Outcome"),
	_("Meetings Booked"),
)
CURRENCY_METRICS = ("invoiced_revenue", "payments_received", "gross_margin", "won_amount")


def check_period_type(period_type: str | None) -> str:
	if period_type not in PERIOD_MONTHS:
		raise InvalidInput(
			Message(
				_("Period type must be one of {0}, not {1}."),
				(", ".join(PERIOD_TYPES), period_type or ""),
			)
		)
	return period_type


def is_period_start(period_type: str, start: date) -> bool:
	months = PERIOD_MONTHS[check_period_type(period_type)]
	return start.day == 1 and (start.month - 1) % months == 0


def check_period_start(period_type: str, start: date | None) -> date:
	"""`start` when it is the first day of a period of that type, else InvalidInput saying what would be."""
	if start is None:
		raise InvalidInput(Message(_("Set the Period Start.")))
	check_date(start, _("Period Start"))
	if not is_period_start(period_type, start):
		aligned = period_containing(period_type, start)[0]
		raise InvalidInput(
			Message(
				_("A {0} plan must start on the first day of its period: {1} is not; did you mean {2}?"),
				(period_type, start.isoformat(), aligned.isoformat()),
			)
		)
	return start


def period_end(period_type: str, start: date) -> date:
	"""The last day of the period that starts on `start`."""
	return date.fromordinal(add_months(start, PERIOD_MONTHS[check_period_type(period_type)]).toordinal() - 1)


def period_containing(period_type: str, day: date) -> tuple[date, date]:
	"""(first day, last day) of the period of that type that contains `day`."""
	months = PERIOD_MONTHS[check_period_type(period_type)]
	start = date(day.year, (day.month - 1) // months * months + 1, 1)
	return start, period_end(period_type, start)


@dataclass(frozen=True)
class PlanRow:
	scope_type: str
	metric: str  # a METRICS label
	target: Any  # as entered; validate_plan accepts a finite number from 0 to MAX_TARGET
	sales_person: str | None = None
	idx: int = 0

	@property
	def scope(self) -> str | None:
		return self.sales_person if self.scope_type == SCOPE_SALES_PERSON else None


def validate_plan(
	db: Database,
	*,
	name: str | None,
	company: str | None,
	period_type: str,
	period_start: date | None,
	rows: Sequence[PlanRow],
) -> date:
	"""Check a Sales Plan before it is saved; return its period end. Raises InvalidInput with the first problem."""
	if not company:
		raise InvalidInput(Message(_("Set the Company.")))
	check_company(db, company)
	check_period_type(period_type)
	start = check_period_start(period_type, period_start)
	seen: dict[tuple[str | None, str], int] = {}
	people = {row.sales_person for row in rows if row.scope_type == SCOPE_SALES_PERSON and row.sales_person}
	known = set()
	if people:
		known = {
			r[0]
			for r in db.sql("SELECT name FROM `tabSales Person` WHERE name IN %(n)s", {"n": tuple(people)})
		}
	for row in rows:
		if row.scope_type not in SCOPE_TYPES:
			raise InvalidInput(
				Message(
					_("Row {0}: scope must be Sales Person or Company, not {1}."), (row.idx, row.scope_type)
				)
			)
		if row.metric not in METRICS:
			raise InvalidInput(Message(_("Row {0}: unknown metric {1}."), (row.idx, row.metric)))
		if row.scope_type == SCOPE_SALES_PERSON:
			if not row.sales_person:
				raise InvalidInput(Message(_("Row {0}: choose the Sales Person."), (row.idx,)))
			if row.sales_person not in known:
				raise InvalidInput(
					Message(_("Row {0}: Sales Person {1} does not exist."), (row.idx, row.sales_person))
				)
		_check_target(row)
		key = (row.scope, row.metric)
		if key in seen:
			raise InvalidInput(
				Message(
					_("Rows {0} and {1} both set {2} for {3}: one target per scope and metric."),
					(seen[key], row.idx, row.metric, row.scope or company),
				)
			)
		seen[key] = row.idx
	_check_other_plans(db, name, company, period_type, start, rows)
	return period_end(period_type, start)


def _check_target(row: PlanRow) -> None:
	"""A target is a finite number from zero to MAX_TARGET (what the Float column holds)."""
	target = real_number(row.target)
	if target is None:
		raise InvalidInput(
			Message(_("Row {0}: the target must be a number, not {1}."), (row.idx, str(row.target)))
		)
	if target < 0:
		raise InvalidInput(
			Message(_("Row {0}: the target must be zero or more, not {1}."), (row.idx, target))
		)
	if target > MAX_TARGET:
		raise InvalidInput(
			Message(
				_("Row {0}: the target {1} is too large: at most {2}."),
				(row.idx, f"{target:,.0f}", f"{MAX_TARGET:,.0f}"),
			)
		)


def _check_other_plans(
	db: Database, name: str | None, company: str, period_type: str, start: date, rows: Sequence[PlanRow]
) -> None:
	"""No other plan of the company for the same period (not cancelled) sets a target for the same scope and
	metric."""
	if not rows:
		return
	other = db.sql(
		"""SELECT p.name, t.scope_type, NULLIF(t.sales_person, ''), t.metric
		FROM `tabSales Plan` p JOIN `tabSales Plan Target` t
			ON t.parent = p.name AND t.parenttype = 'Sales Plan' AND t.parentfield = 'targets'
		WHERE p.company = %(company)s AND p.period_type = %(period_type)s AND p.period_start = %(start)s
			AND p.docstatus < 2 AND p.name != %(name)s""",
		{"company": company, "period_type": period_type, "start": start, "name": name or ""},
	)
	taken = {
		(person if scope_type == SCOPE_SALES_PERSON else None, metric): plan
		for plan, scope_type, person, metric in other
	}
	for row in rows:
		plan = taken.get((row.scope, row.metric))
		if plan:
			raise InvalidInput(
				Message(
					_("Row {0}: Sales Plan {1} already sets {2} for {3} in this period."),
					(row.idx, plan, row.metric, row.scope or company),
				)
			)


def plan_targets(
	db: Database, company: str, period_type: str, start: date
) -> dict[tuple[str | None, str], float]:
	"""Targets of the company's plans for the period (not cancelled): (sales person or None for the company,
	metric key) -> target."""
	rows = db.sql(
		"""SELECT t.scope_type, NULLIF(t.sales_person, ''), t.metric, SUM(t.target)
		FROM `tabSales Plan` p JOIN `tabSales Plan Target` t
			ON t.parent = p.name AND t.parenttype = 'Sales Plan' AND t.parentfield = 'targets'
		WHERE p.company = %(company)s AND p.period_type = %(period_type)s AND p.period_start = %(start)s
			AND p.docstatus < 2
		GROUP BY t.scope_type, t.sales_person, t.metric""",
		{"company": company, "period_type": period_type, "start": start},
	)
	targets: dict[tuple[str | None, str], float] = {}
	for scope_type, person, metric, target in rows:
		if metric in METRICS:
			scope = person if scope_type == SCOPE_SALES_PERSON else None
			targets[(scope, METRICS[metric])] = float(target or 0)
	return targets

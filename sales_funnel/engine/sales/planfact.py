"""Plan vs fact per Sales Person, rolled up the Sales Person tree to groups (departments) and the company.

Facts for a company and period (all amounts in the company currency):

- Invoiced Revenue, Gross Margin, Payments Received: submitted Sales Invoices (not opening entries) and the
  allocations of submitted Payment Entries to them, posted in the period, as the credit ledger holds them
  (`credit_ledger`; amounts and crediting rules in `crediting`: revenue `base_net_total`, margin as ERPNext's
  Gross Profit per item from the stored incoming rate, credit notes negative in the period they are posted).
- Won Deals / Won Amount: deals whose latest stage move (Funnel Stage Transition, `is_latest`) is into a Won
  stage, made in the period, and the deal amount recorded with it.
- New Deals: Opportunities created in the period.
- Calls With Outcome / Meetings Booked: Call Logs started in the period that have an outcome (`sf_outcome`);
  meetings are outcomes of category "Meeting Booked". Credited by `employee_user_id`, counted for the company
  whose Employee that user is.

Crediting: revenue, margin and payments by the invoice's Sales Team, else the returned invoice's, else the deal
owner's Sales Person (`crediting`), frozen in the ledger when the document is written; deals and calls go to
their owner's Sales Person; what reaches no Sales Person still counts for the company (a "not credited" row).

Rollup: the Sales Person tree *as it is now* (nested set lft/rgt). A manager moved to another department takes
all of their facts for the period with them, also those from before the move: a plan and its fact are about
people, and the department a person belongs to now is the one answerable for them. The alternative, the
department at the time of each document, needs a history of the tree that ERPNext does not keep.

A group's plan is its own target when the plan sets one, else the sum of its members' plans.
Projection: the run rate to the period's end, fact / elapsed days * days in the period (`now` inside the period;
the fact itself once the period is over; none before it starts).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import numpy as np
import pandas as pd

from sales_funnel.engine.db import Database
from sales_funnel.engine.frames import rows_frame
from sales_funnel.engine.i18n import InvalidInput, Message, _
from sales_funnel.engine.inputs import check_company, check_known, name_list
from sales_funnel.engine.sales.credit_ledger import credited_facts
from sales_funnel.engine.sales.crediting import USER_PERSON
from sales_funnel.engine.sales.plans import (
	CURRENCY_METRICS,
	METRIC_LABELS,
	METRICS,
	check_period_start,
	check_period_type,
	period_end,
	plan_targets,
)

METRIC_KEYS = tuple(METRICS.values())
COMPANY_ROW = _("Company")
NOT_CREDITED = _("Not credited to a Sales Person")
NOT_CREDITED_KEY = ""  # facts that reach no Sales Person


@dataclass(frozen=True)
class Period:
	period_type: str
	start: date
	end: date

	@property
	def days(self) -> int:
		return (self.end - self.start).days + 1

	def elapsed_days(self, now: datetime) -> int:
		"""Days of the period up to and including `now`'s day (0 before it starts, all once it is over)."""
		return max(0, min(self.days, (now.date() - self.start).days + 1))


def make_period(period_type: str, start: date) -> Period:
	check_period_type(period_type)
	check_period_start(period_type, start)
	return Period(period_type, start, period_end(period_type, start))


def _values(company: str, start: date, end: date) -> dict[str, Any]:
	return {"company": company, "from_date": start, "to_date": end, "to_next": end + timedelta(days=1)}


def credit_facts(db: Database, company: str, start: date, end: date) -> pd.DataFrame:
	"""Invoiced revenue, gross margin and payments received per credited Sales Person ('' = not credited), read
	from the credit ledger (`credit_ledger`), which holds the rows `crediting` computes for each document."""
	return _frame(
		credited_facts(db, company, start, end), ("invoiced_revenue", "gross_margin", "payments_received")
	)


def payment_facts(db: Database, company: str, start: date, end: date) -> pd.DataFrame:
	"""Payments received per credited Sales Person."""
	return credit_facts(db, company, start, end)[["payments_received"]]


def deal_facts(db: Database, company: str, start: date, end: date) -> pd.DataFrame:
	"""Won deals and won amount (latest move into a Won stage in the period), new deals (created in the period)."""
	values = _values(company, start, end)
	owner_person = USER_PERSON.format(company_condition="")
	won = db.sql(
		f"""SELECT IFNULL(up.sales_person, '') AS sales_person, COUNT(*) AS won_deals, SUM(t.amount) AS won_amount
		FROM `tabFunnel Stage Transition` t
		LEFT JOIN {owner_person} up ON up.user = t.deal_owner
		WHERE t.company = %(company)s AND t.to_kind = 'Won' AND t.is_latest = 1
			AND t.transitioned_at >= %(from_date)s AND t.transitioned_at < %(to_next)s
		GROUP BY 1""",
		values,
		as_dict=True,
	)
	new = db.sql(
		f"""SELECT IFNULL(up.sales_person, '') AS sales_person, COUNT(*) AS new_deals
		FROM `tabOpportunity` o
		LEFT JOIN {owner_person} up ON up.user = COALESCE(NULLIF(o.opportunity_owner, ''), o.owner)
		WHERE o.company = %(company)s AND o.creation >= %(from_date)s AND o.creation < %(to_next)s
		GROUP BY 1""",
		values,
		as_dict=True,
	)
	return _frame(won, ("won_deals", "won_amount")).add(_frame(new, ("new_deals",)), fill_value=0)


def call_facts(db: Database, company: str, start: date, end: date) -> pd.DataFrame:
	"""Calls with an outcome and meetings booked, per Sales Person of `employee_user_id` (employees of the
	company)."""
	rows = db.sql(
		f"""SELECT up.sales_person, COUNT(*) AS calls_with_outcome,
			SUM(CASE WHEN co.category = 'Meeting Booked' THEN 1 ELSE 0 END) AS meetings_booked
		FROM `tabCall Log` cl
		JOIN {USER_PERSON.format(company_condition=" AND e.company = %(company)s")} up
			ON up.user = cl.employee_user_id
		LEFT JOIN `tabCall Outcome` co ON co.name = cl.sf_outcome
		WHERE IFNULL(cl.sf_outcome, '') != ''
			AND cl.start_time >= %(from_date)s AND cl.start_time < %(to_next)s
		GROUP BY 1""",
		_values(company, start, end),
		as_dict=True,
	)
	return _frame(rows, ("calls_with_outcome", "meetings_booked"))


FACT_QUERIES: dict[str, Callable[[Database, str, date, date], pd.DataFrame]] = {
	"invoiced_revenue": credit_facts,
	"gross_margin": credit_facts,
	"payments_received": credit_facts,
	"won_deals": deal_facts,
	"won_amount": deal_facts,
	"new_deals": deal_facts,
	"calls_with_outcome": call_facts,
	"meetings_booked": call_facts,
}


def _frame(rows: Sequence[Mapping[str, Any]], metrics: Sequence[str]) -> pd.DataFrame:
	frame = rows_frame(rows, ["sales_person", *metrics])
	frame["sales_person"] = frame["sales_person"].fillna(NOT_CREDITED_KEY)
	frame = frame.groupby("sales_person").sum(numeric_only=False)
	return frame.astype(float)


def direct_facts(
	db: Database, company: str, start: date, end: date, metrics: Sequence[str] = METRIC_KEYS
) -> pd.DataFrame:
	"""Facts credited directly to each Sales Person (index; '' = not credited), one column per metric."""
	queries = []
	for metric in metrics:
		query = FACT_QUERIES[metric]
		if query not in queries:
			queries.append(query)
	frame = pd.DataFrame(columns=list(metrics), dtype=float)
	for query in queries:
		frame = frame.add(query(db, company, start, end), fill_value=0)
	frame = frame.reindex(columns=list(metrics)).fillna(0.0)
	frame.index.name = "sales_person"
	return frame


# Plan vs fact
# ------------


@dataclass(frozen=True)
class PlanFactFilters:
	company: str
	period_type: str
	period_start: date
	metrics: tuple[str, ...] = METRIC_KEYS  # keys of METRICS
	sales_people: tuple[str, ...] | None = None  # only these and everyone under them; None for all


def plan_fact_filters(
	*,
	company: str | None,
	period_type: str | None,
	period_start: date | None,
	metrics: Sequence[str] | None = None,
	sales_people: Sequence[str] | None = None,
) -> PlanFactFilters:
	"""Filters from the report's form: metrics may be given as labels or keys; none means all. `sales_people`:
	a list of names (a text is refused: its letters are not names); whether they exist is checked on the tree."""
	if not company:
		raise InvalidInput(Message(_("Choose a Company.")))
	people = name_list(sales_people, _("Sales People"))
	check_period_type(period_type)
	check_period_start(period_type, period_start)
	chosen: list[str] = []
	for metric in metrics or ():
		key = METRICS.get(metric, metric)
		if key not in METRIC_LABELS:
			raise InvalidInput(Message(_("Unknown metric {0}."), (metric,)))
		if key not in chosen:
			chosen.append(key)
	return PlanFactFilters(company, period_type, period_start, tuple(chosen) or METRIC_KEYS, people)


@dataclass
class PlanFactResult:
	filters: PlanFactFilters
	period: Period
	elapsed_days: int
	rows: list[dict[str, Any]] = field(
		default_factory=list
	)  # tree order: company, then the Sales Person tree (restricted: the visible subtrees, re-rooted)
	total: dict[str, Any] = field(
		default_factory=dict
	)  # the figures the summary shows (the company's, or the
	# visible subtrees' together)
	restricted: bool = False  # only some Sales People are shown: no company and no "not credited" row


def sales_person_tree(db: Database) -> pd.DataFrame:
	return rows_frame(
		db.sql(
			"""SELECT name, sales_person_name, IFNULL(parent_sales_person, '') AS parent, is_group, enabled, lft, rgt
			FROM `tabSales Person` ORDER BY lft, name""",
			as_dict=True,
		),
		["name", "sales_person_name", "parent", "is_group", "enabled", "lft", "rgt"],
	)


def members_of(tree: pd.DataFrame, names: Sequence[str]) -> set[str]:
	"""The Sales People in the subtrees of `names` (each one a member of itself; names not in the tree, none)."""
	chosen = tree[tree["name"].isin(list(names))]
	if not len(chosen):
		return set()
	lft, rgt = tree["lft"].to_numpy(dtype=np.int64), tree["rgt"].to_numpy(dtype=np.int64)
	under = (chosen["lft"].to_numpy(dtype=np.int64)[:, None] <= lft[None, :]) & (
		chosen["rgt"].to_numpy(dtype=np.int64)[:, None] >= rgt[None, :]
	)
	return set(tree["name"][under.any(axis=0)])


def visible_people(
	tree: pd.DataFrame, sales_people: Sequence[str] | None, within: Sequence[str] | None
) -> set[str] | None:
	"""The Sales People a report shows: those under the chosen `sales_people` (each must exist) and under the
	user's own `within`; None when neither restricts."""
	if sales_people is None and within is None:
		return None
	if sales_people is not None:
		check_known(sales_people, tree["name"], _("Sales Person"))
	visible: set[str] | None = None
	for names in (sales_people, within):
		if names is not None:
			members = members_of(tree, names)
			visible = members if visible is None else visible & members
	return visible


def rollup(tree: pd.DataFrame, direct: pd.DataFrame) -> pd.DataFrame:
	"""Each node's facts plus those of everyone under it (nested set: lft/rgt inside the node's)."""
	own = direct.reindex(tree["name"]).fillna(0.0).to_numpy()
	lft = tree["lft"].to_numpy(dtype=np.int64)
	rgt = tree["rgt"].to_numpy(dtype=np.int64)
	inside = (lft[None, :] >= lft[:, None]) & (rgt[None, :] <= rgt[:, None])
	return pd.DataFrame(inside.astype(float) @ own, index=tree["name"], columns=direct.columns)


def _plans_by_node(
	tree: pd.DataFrame, targets: Mapping[tuple[str | None, str], float], metrics: Sequence[str]
) -> tuple[pd.DataFrame, dict[str, float | None]]:
	"""Effective plan per node (own target, else the sum of its children's) and for the company."""
	plans = pd.DataFrame(np.nan, index=tree["name"], columns=list(metrics))
	for (scope, metric), target in targets.items():
		if scope is not None and scope in plans.index and metric in plans.columns:
			plans.loc[scope, metric] = target
	children: dict[str, list[str]] = {}
	for name, parent in zip(tree["name"], tree["parent"], strict=True):
		children.setdefault(parent, []).append(name)
	for name in tree.sort_values("lft", ascending=False)["name"]:  # children before their parents
		kids = children.get(name, [])
		if kids:
			summed = plans.loc[kids].sum(min_count=1)
			plans.loc[name] = plans.loc[name].fillna(summed)
	top = [n for n in children.get("", []) if n in plans.index]
	company: dict[str, float | None] = {}
	for metric in metrics:
		if (None, metric) in targets:
			company[metric] = targets[(None, metric)]
		else:
			value = plans.loc[top, metric].sum(min_count=1) if top else np.nan
			company[metric] = None if pd.isna(value) else float(value)
	return plans, company


@dataclass(frozen=True)
class _Figures:
	"""Plan, fact, % done and projection of each metric, for a period `elapsed` days in."""

	metrics: tuple[str, ...]
	elapsed: int
	days: int

	def __call__(self, facts: Mapping[str, float], plan: Mapping[str, float | None]) -> dict[str, Any]:
		out: dict[str, Any] = {}
		for metric in self.metrics:
			fact = round(float(facts.get(metric, 0.0)), 2)
			target = plan.get(metric)
			target = None if target is None or pd.isna(target) else round(float(target), 2)
			out[f"{metric}_plan"] = target
			out[f"{metric}_fact"] = fact
			out[f"{metric}_pct"] = round(fact / target * 100, 1) if target else None
			out[f"{metric}_projection"] = round(fact / self.elapsed * self.days, 2) if self.elapsed else None
		return out


def plan_vs_fact(
	db: Database, filters: PlanFactFilters, *, now: datetime, within: Sequence[str] | None = None
) -> PlanFactResult:
	"""The report for one company and period. `within`: the Sales People the user may see (a Sales User's own,
	with everyone under them); None for everyone. When `within` or the filters' `sales_people` restrict, the
	rows are the visible subtrees only, re-rooted, with no company row and no "not credited" row."""
	check_company(db, filters.company)
	own = name_list(within, _("Sales People"))
	period = make_period(filters.period_type, filters.period_start)
	metrics = filters.metrics
	tree = sales_person_tree(db)
	visible = visible_people(tree, filters.sales_people, own)
	direct = _in_tree(direct_facts(db, filters.company, period.start, period.end, metrics), tree)
	rolled = rollup(tree, direct) if len(tree) else pd.DataFrame(columns=list(metrics))
	targets = plan_targets(db, filters.company, filters.period_type, period.start)
	plans, company_plan = _plans_by_node(tree, targets, metrics)
	elapsed = period.elapsed_days(now)
	figures = _Figures(metrics, elapsed, period.days)
	result = PlanFactResult(filters, period, elapsed, restricted=visible is not None)
	people = _person_rows(tree, rolled, plans, figures)
	if visible is not None:
		result.rows = _rerooted([row for row in people if row["sales_person"] in visible])
		result.total = _total_of(result.rows, metrics, figures)
		return result
	company_facts = direct.sum() if len(direct) else pd.Series(0.0, index=list(metrics))
	company = {"sales_person": None, "label": filters.company, "parent": None, "indent": 0, "is_group": 1}
	result.rows = [{**company, **figures(company_facts.to_dict(), company_plan)}, *people]
	if NOT_CREDITED_KEY in direct.index and (direct.loc[NOT_CREDITED_KEY] != 0).any():
		result.rows.append(
			{
				"sales_person": None,
				"label": NOT_CREDITED,
				"parent": None,
				"indent": 1,
				"is_group": 0,
				"not_credited": 1,
				**figures(direct.loc[NOT_CREDITED_KEY].to_dict(), {}),
			}
		)
	result.total = result.rows[0]
	return result


def _in_tree(direct: pd.DataFrame, tree: pd.DataFrame) -> pd.DataFrame:
	"""Facts of a Sales Person no longer in the tree count as not credited."""
	known = set(tree["name"])
	orphan = [name for name in direct.index if name not in known and name != NOT_CREDITED_KEY]
	if orphan:
		direct.loc[NOT_CREDITED_KEY] = direct.reindex([NOT_CREDITED_KEY, *orphan]).fillna(0.0).sum()
		direct = direct.drop(index=orphan)
	return direct


def _person_rows(
	tree: pd.DataFrame, rolled: pd.DataFrame, plans: pd.DataFrame, figures: _Figures
) -> list[dict[str, Any]]:
	"""One row per Sales Person in tree order (the company is indent 0): enabled, or with a plan or a fact."""
	has_plan = plans.notna().any(axis=1)
	has_fact = (rolled != 0).any(axis=1) if len(rolled) else pd.Series(dtype=bool)
	depth: dict[str, int] = {}
	rows = []
	for row in tree.itertuples(index=False):
		depth[row.name] = depth.get(row.parent, 0) + 1 if row.parent else 1
		if not (row.enabled or has_plan.get(row.name, False) or has_fact.get(row.name, False)):
			continue
		rows.append(
			{
				"sales_person": row.name,
				"label": row.sales_person_name or row.name,
				"parent": row.parent or None,
				"indent": depth[row.name],
				"is_group": int(row.is_group or 0),
				**figures(rolled.loc[row.name].to_dict(), plans.loc[row.name].to_dict()),
			}
		)
	return rows


def _rerooted(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
	"""Rows of some subtrees (tree order) as a forest of their own: a row whose parent is not shown is a root."""
	depth: dict[str, int] = {}
	out = []
	for row in rows:
		parent = row["parent"] if row["parent"] in depth else None
		depth[row["sales_person"]] = depth[parent] + 1 if parent else 0
		out.append({**row, "parent": parent, "indent": depth[row["sales_person"]]})
	return out


def _total_of(rows: list[dict[str, Any]], metrics: Sequence[str], figures: _Figures) -> dict[str, Any]:
	"""The figures of the roots together (a root's facts and plan already hold its subtree's)."""
	roots = [row for row in rows if row["indent"] == 0]
	facts = {metric: sum(row[f"{metric}_fact"] for row in roots) for metric in metrics}
	plans: dict[str, float | None] = {}
	for metric in metrics:
		targets = [row[f"{metric}_plan"] for row in roots if row[f"{metric}_plan"] is not None]
		plans[metric] = sum(targets) if targets else None
	return figures(facts, plans)


# The Plan vs Fact report's shape (Frappe query report contract, as in report_rows)
# -------------------------------------------------------------------------------

Translate = Callable[[str], str]
FIGURE_LABELS = {
	"plan": _("{0}: Plan"),
	"fact": _("{0}: Fact"),
	"pct": _("{0}: % Done"),
	"projection": _("{0}: Projection"),
}


def plan_fact_report(
	result: PlanFactResult, translate: Translate, *, currency: str | None = None
) -> tuple[list[dict], list[dict], dict, list[dict]]:
	"""(columns, data, chart, summary) for the Desk."""
	columns: list[dict[str, Any]] = [
		{"fieldname": "label", "label": translate("Sales Person"), "fieldtype": "Data", "width": 240},
		{"fieldname": "sales_person", "label": translate("Sales Person ID"), "fieldtype": "Link",
		 "options": "Sales Person", "width": 10, "hidden": 1},
	]  # fmt: skip
	for metric in result.filters.metrics:
		name = translate(METRIC_LABELS[metric])
		money = metric in CURRENCY_METRICS
		for figure, label in FIGURE_LABELS.items():
			column: dict[str, Any] = {
				"fieldname": f"{metric}_{figure}",
				"label": translate(label).format(name),
				"width": 130 if figure != "pct" else 90,
			}
			if figure == "pct":
				column["fieldtype"] = "Percent"
			elif money:
				# Frappe reads a Currency column's `options` as the row field holding the currency
				column["fieldtype"] = "Currency"
				column["options"] = "currency"
			else:
				column["fieldtype"] = "Float"
				column["precision"] = 0 if figure != "projection" else 1
			columns.append(column)
	# rows are in tree order with `indent`: the Desk shows them as a tree
	data = []
	for row in result.rows:
		out = dict(row)
		if row.get("not_credited"):
			out["label"] = translate(NOT_CREDITED)
		# the Desk's tree keys (report .js `name_field` / `parent_field`)
		out["node"] = row["sales_person"] or ("" if row.get("not_credited") else result.filters.company)
		out["parent_node"] = (row["parent"] or result.filters.company) if row["indent"] else None
		out["currency"] = currency
		data.append(out)
	first = result.filters.metrics[0]
	# the chart compares the departments (the company's children), or the visible roots
	level = 0 if result.restricted else 1
	groups = [row for row in result.rows if row["indent"] == level and not row.get("not_credited")]
	chart = {
		"data": {
			"labels": [row["label"] for row in groups],
			"datasets": [
				{"name": translate("Plan"), "values": [row[f"{first}_plan"] or 0 for row in groups]},
				{"name": translate("Fact"), "values": [row[f"{first}_fact"] for row in groups]},
			],
		},
		"type": "bar",
		"title": translate(METRIC_LABELS[first]),
	}
	return columns, data, chart, _summary(result, translate, currency)


def _summary(result: PlanFactResult, translate: Translate, currency: str | None) -> list[dict[str, Any]]:
	"""One item per metric: the fact of the company (or of the visible subtrees), coloured by its % done."""
	total = result.total
	summary = []
	for metric in result.filters.metrics:
		pct = total[f"{metric}_pct"]
		summary.append(
			{
				"label": translate(METRIC_LABELS[metric]),
				"value": total[f"{metric}_fact"],
				"datatype": "Currency" if metric in CURRENCY_METRICS else "Float",
				"currency": currency if metric in CURRENCY_METRICS else None,
				"indicator": "Blue" if pct is None else ("Green" if pct >= 100 else "Orange"),
			}
		)
	return summary

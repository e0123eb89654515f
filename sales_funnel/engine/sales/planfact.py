"""Plan vs fact per Sales Person, rolled up the Sales Person tree to groups (departments) and the company.

The facts and how they are credited: `facts`. The Desk's columns, rows, chart and summary: `report_rows`.

Rollup: the Sales Person tree *as it is now* (nested set lft/rgt). A manager moved to another department takes
all of their facts for the period with them, also those from before the move: a plan and its fact are about
people, and the department a person belongs to now is the one answerable for them. The alternative, the
department at the time of each document, needs a history of the tree that ERPNext does not keep.

A group's plan is its own target when the plan sets one, else the sum of its members' plans.
Projection: the run rate to the period's end, fact / elapsed days * days in the period (`now` inside the period;
the fact itself once the period is over; none before it starts).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import numpy as np
import pandas as pd

from sales_funnel.engine.db import Database
from sales_funnel.engine.i18n import InvalidInput, Message, _
from sales_funnel.engine.inputs import check_company, name_list
from sales_funnel.engine.sales.facts import NOT_CREDITED, NOT_CREDITED_KEY, direct_facts
from sales_funnel.engine.sales.plans import (
	METRIC_KEYS,
	METRIC_LABELS,
	METRICS,
	check_period_start,
	check_period_type,
	period_end,
	plan_targets,
)
from sales_funnel.engine.sales.sales_people import rollup, sales_person_tree, visible_people


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

"""What the main job prints about the demo company, read back from MariaDB through the `db` port."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta
from pathlib import Path

import pandas as pd

from devkit.demo.model import COMPANIES, FUNNELS
from devkit.schema.ddl import site_doctypes, table_name
from sales_funnel.engine.calls.filters import CallFilters
from sales_funnel.engine.calls.report import call_outcome_report
from sales_funnel.engine.conversion.filters import ConversionFilters
from sales_funnel.engine.conversion.report import stage_conversion
from sales_funnel.engine.conversion.stages import WHOLE
from sales_funnel.engine.db import Database
from sales_funnel.engine.frames import rows_frame
from sales_funnel.engine.reassignment.model import (
	BEST_CONVERTER,
	PLANNED,
	POOL_SALES_PERSON_GROUP,
	TRIGGER_STAGE_LIMIT,
	Rule,
)
from sales_funnel.engine.reassignment.plan import plan_reassignments
from sales_funnel.engine.sales.facts import NOT_CREDITED, NOT_CREDITED_KEY, direct_facts
from sales_funnel.engine.sales.payments import daily_payments
from sales_funnel.engine.sales.planfact import PlanFactFilters, make_period, plan_vs_fact
from sales_funnel.engine.sales.plans import CURRENCY_METRICS, METRICS


def table_counts(db: Database) -> pd.DataFrame:
	"""Rows per table of the site schema (exact counts)."""
	rows = []
	for doctype in sorted(site_doctypes()):
		count = db.sql(f"SELECT COUNT(*) FROM `{table_name(doctype)}`")[0][0]
		rows.append({"table": table_name(doctype), "rows": int(count)})
	return pd.DataFrame(rows)


def deals_per_stage(db: Database) -> pd.DataFrame:
	"""Open, won and lost deals per funnel and current stage, in the funnel's stage order."""
	rows = db.sql(
		"""
		SELECT opp.sf_sales_funnel AS funnel, stage.idx AS position, opp.sales_stage AS stage,
			SUM(opp.status NOT IN ('Lost', 'Converted', 'Closed')) AS open_deals,
			SUM(opp.status = 'Converted') AS won, SUM(opp.status = 'Lost') AS lost,
			ROUND(SUM(opp.base_opportunity_amount), 2) AS amount
		FROM `tabOpportunity` opp
		LEFT JOIN `tabSales Funnel Stage` stage
			ON stage.parent = opp.sf_sales_funnel AND stage.parenttype = 'Sales Funnel' AND stage.stage = opp.sales_stage
		GROUP BY opp.sf_sales_funnel, stage.idx, opp.sales_stage
		ORDER BY opp.sf_sales_funnel, stage.idx
		""",
		as_dict=True,
	)
	frame = rows_frame(rows, ["funnel", "position", "stage", "open_deals", "won", "lost", "amount"])
	return frame.astype({"open_deals": int, "won": int, "lost": int})


def print_summary(db: Database, out_dir: Path, now: datetime) -> None:
	counts = table_counts(db)
	print("Rows per table")
	print(counts[counts["rows"] > 0].to_string(index=False))
	print("\nDeals per funnel and current stage")
	print(deals_per_stage(db).drop(columns="position").to_string(index=False))
	print_conversion(db, out_dir, now)
	print_other_reports(db, now)


def conversion_tables(db: Database, now: datetime, funnel: str, months: int = 12) -> dict[str, pd.DataFrame]:
	"""The Stage Conversion report for one funnel over the last `months` (cohort mode), whole and sliced."""
	to_date = (now - timedelta(days=1)).date()
	from_date = to_date - timedelta(days=round(months * 30.4))
	base = ConversionFilters(from_date, to_date, funnel=funnel, compare_previous=True)
	whole = stage_conversion(db, base, now)
	tables = {"stages": _stage_table(whole), "totals": _totals_table(whole)}
	for slice_by in ("department", "manager"):
		result = stage_conversion(db, replace(base, slice_by=slice_by, compare_previous=False), now)
		totals = result.totals[result.totals["slice"] != WHOLE]
		tables[slice_by] = totals[
			[
				"slice",
				"entered",
				"won",
				"overall_conversion",
				"median_funnel_days",
				"open",
				"stale",
				"won_amount",
			]
		].rename(columns={"slice": slice_by})
	tables["result"] = whole
	return tables


def _stage_table(result) -> pd.DataFrame:
	stages = result.whole()
	table = stages[
		["stage", "entered", "moved_on", "conversion_to_next", "target_conversion", "gap", "lost", "open", "stale",
		 "avg_days", "median_days"]
	].copy()  # fmt: skip
	if result.previous_stages is not None and len(result.previous_stages):
		previous = result.previous_stages[result.previous_stages["slice"] == WHOLE].set_index("stage")
		table["prev_entered"] = table["stage"].map(previous["entered"])
		table["prev_conversion"] = table["stage"].map(previous["conversion_to_next"])
	return table


def _totals_table(result) -> pd.DataFrame:
	rows = [{"period": "this", **result.total()}]
	if result.previous_totals is not None and len(result.previous_totals):
		rows.append({"period": "previous", **result.previous_totals.iloc[0].to_dict()})
	return pd.DataFrame(rows).drop(columns=["slice"])


def write_conversion_chart(tables: dict[str, pd.DataFrame], path: Path, title: str) -> Path:
	"""A PNG: deals entering each stage (this period and the previous one) and each manager's conversion."""
	import matplotlib

	matplotlib.use("Agg")
	import matplotlib.pyplot as plt

	stages, managers = tables["stages"], tables["manager"].sort_values("overall_conversion")
	figure, (left, right) = plt.subplots(1, 2, figsize=(15, 6), gridspec_kw={"width_ratios": [3, 2]})
	y = range(len(stages))[::-1]
	if "prev_entered" in stages:
		left.barh(list(y), stages["prev_entered"].fillna(0), color="#d0d7de", label="previous period")
	left.barh(list(y), stages["entered"], height=0.55, color="#2f6fde", label="this period")
	for yy, (_, row) in zip(y, stages.iterrows(), strict=True):
		label = f"{int(row['entered']):,}"
		if pd.notna(row["conversion_to_next"]):
			label += f"  → {row['conversion_to_next']:.0f}% move on"
		left.text(row["entered"], yy, "  " + label, va="center", fontsize=9)
	left.set_yticks(list(y), stages["stage"])
	left.set_title(f"{title}: deals entering each stage")
	left.legend(loc="lower right")
	left.set_xlim(0, max(stages["entered"].max(), stages.get("prev_entered", stages["entered"]).max()) * 1.45)
	right.barh(
		[m.split("@")[0] for m in managers["manager"]],
		managers["overall_conversion"].fillna(0),
		color="#36a36d",
	)
	right.set_title("Overall conversion per manager (entry → won, %)")
	figure.tight_layout()
	path.parent.mkdir(parents=True, exist_ok=True)
	figure.savefig(path, dpi=110)
	plt.close(figure)
	return path


def _text(frame: pd.DataFrame) -> str:
	"""A table for the terminal: blanks where a figure does not apply (the Won stage has no next stage)."""
	frame = frame.copy()
	for column in frame.columns:
		values = frame[column]
		if pd.api.types.is_float_dtype(values) and (values.dropna() % 1 == 0).all():
			frame[column] = values.astype("Int64")  # counts stay whole numbers beside an empty cell
	return frame.astype(object).where(frame.notna(), "").to_string(index=False)


def print_conversion(db: Database, out_dir: Path, now: datetime, funnel: str = "B2B New Customers") -> None:
	tables = conversion_tables(db, now, funnel)
	with pd.option_context("display.width", 200, "display.max_columns", 20):
		print(
			f"\nStage Conversion: {funnel}, deals that entered in the last 12 months (vs the 12 months before)"
		)
		print(_text(tables["stages"]))
		print("\nTotals")
		print(_text(tables["totals"]))
		print("\nBy department")
		print(_text(tables["department"]))
		print("\nBy manager (department members compared: who turns entries into wins)")
		print(_text(tables["manager"].sort_values("overall_conversion", ascending=False)))
	path = write_conversion_chart(tables, out_dir / "stage_conversion.png", funnel)
	print(f"\nChart written to {path}")


# The other reports on the same company: calls, plan / fact and the morning payments, reassignment
# -------------------------------------------------------------------------------------------------

DEMO_COMPANY = COMPANIES[0].name
PLAN_METRICS = ("invoiced_revenue", "payments_received", "won_deals", "calls_with_outcome")
PLAN_UPLIFT = 1.15  # the head of sales asks for the same quarter of last year plus 15 %


def call_outcome_table(db: Database, now: datetime) -> pd.DataFrame:
	"""The Call Outcomes report per manager over the last full month."""
	to_date = now.date().replace(day=1) - timedelta(days=1)
	result = call_outcome_report(db, CallFilters(to_date.replace(day=1), to_date, period="month"), now)
	return result.managers[
		["manager", "calls", "with_outcome", "outcome_pct", "negotiations", "negotiations_per_10", "meetings",
		 "deals", "won"]
	].sort_values("negotiations_per_10", ascending=False)  # fmt: skip


def quarter_start(day: date) -> date:
	return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def set_demo_plan(db: Database, company: str, start: date, uplift: float = PLAN_UPLIFT) -> int:
	"""A submitted quarterly Sales Plan for `start`: every Sales Person's facts of the same quarter a year
	earlier times `uplift` (how a head of sales often sets it). Replaces an earlier demo plan; returns how many
	targets it set. Written in the caller's transaction: the main job reads it on the same connection."""
	period = make_period("Quarter", start)
	targets = demo_plan_targets(db, company, start, uplift)
	name = f"SAL-PLAN-DEMO-{start:%Y%m}"
	db.sql("DELETE FROM `tabSales Plan Target` WHERE parent = %s", (name,))
	db.sql("DELETE FROM `tabSales Plan` WHERE name = %s", (name,))
	stamp = {"now": datetime.combine(start, datetime.min.time()), "owner": "Administrator"}
	db.sql(
		"""INSERT INTO `tabSales Plan` (name, creation, modified, modified_by, owner, docstatus, idx, company,
			title, period_type, period_start, period_end)
		VALUES (%(name)s, %(now)s, %(now)s, %(owner)s, %(owner)s, 1, 0, %(company)s, %(title)s, 'Quarter',
			%(start)s, %(end)s)""",
		{**stamp, "name": name, "company": company, "title": f"{company} {start:%Y}-Q{(start.month + 2) // 3}",
		 "start": period.start, "end": period.end},
	)  # fmt: skip
	for idx, (person, label, target) in enumerate(targets, start=1):
		db.sql(
			"""INSERT INTO `tabSales Plan Target` (name, creation, modified, modified_by, owner, docstatus, idx,
				parent, parenttype, parentfield, scope_type, sales_person, metric, target)
			VALUES (%(row)s, %(now)s, %(now)s, %(owner)s, %(owner)s, 1, %(idx)s, %(name)s, 'Sales Plan', 'targets',
				'Sales Person', %(person)s, %(metric)s, %(target)s)""",
			{**stamp, "row": f"{name}-{idx}", "idx": idx, "name": name, "person": person, "metric": label,
			 "target": target},
		)  # fmt: skip
	return len(targets)


def demo_plan_targets(
	db: Database, company: str, start: date, uplift: float = PLAN_UPLIFT
) -> list[tuple[str, str, float]]:
	"""(Sales Person, metric label, target) of the demo plan for the quarter starting `start`: each person's facts
	of the same quarter a year earlier times `uplift`."""
	last_year = make_period("Quarter", date(start.year - 1, start.month, 1))
	facts = direct_facts(db, company, last_year.start, last_year.end, PLAN_METRICS)
	facts = facts[facts.index != NOT_CREDITED_KEY]
	return [
		(person, label, round(float(row[key]) * uplift, 0 if key not in CURRENCY_METRICS else 2))
		for person, row in facts.iterrows()
		for label, key in METRICS.items()
		if key in PLAN_METRICS and row[key] > 0
	]


def plan_fact_table(db: Database, company: str, now: datetime) -> tuple[pd.DataFrame, int]:
	"""Plan vs Fact for the current quarter (the demo plan set first), as the Desk's tree: company, departments,
	managers."""
	start = quarter_start(now.date())
	targets = set_demo_plan(db, company, start)
	result = plan_vs_fact(db, PlanFactFilters(company, "Quarter", start, PLAN_METRICS), now=now)
	rows = []
	for row in result.rows:
		out = {"sales person": "  " * row["indent"] + str(row["label"])}
		for key in PLAN_METRICS:
			short = key.replace("invoiced_", "").replace("_received", "").replace("_with_outcome", "")
			out[f"{short} plan"] = row[f"{key}_plan"]
			out[f"{short} fact"] = row[f"{key}_fact"]
			out[f"{short} %"] = row[f"{key}_pct"]
		out["revenue projection"] = row["invoiced_revenue_projection"]
		rows.append(out)
	return pd.DataFrame(rows), targets


def daily_payments_table(db: Database, company: str, now: datetime) -> pd.DataFrame:
	"""The managers' morning report: due tomorrow, received today, due this week, overdue."""
	rows = daily_payments(db, company, now.date())
	columns = ["sales_person", "due_tomorrow", "received_today", "due_this_week", "overdue"]
	frame = pd.DataFrame(rows)
	frame = frame.reindex(columns=columns)
	frame["sales_person"] = frame["sales_person"].replace("", NOT_CREDITED)
	return frame.round(2)


def demo_rule(funnel: str, department: str) -> Rule:
	"""What a head of sales would set up first: deals a week past their stage's limit go to the department's
	best converter for that stage; at most 25 moves an hour, never back to a previous owner."""
	return Rule(
		name="Stale deals to the best converter",
		funnel=funnel,
		trigger=TRIGGER_STAGE_LIMIT,
		threshold=7,
		pool_type=POOL_SALES_PERSON_GROUP,
		sales_person_group=department,
		strategy=BEST_CONVERTER,
		converter_window_days=180,
		converter_min_deals=20,
		max_per_hour=25,
	)


def reassignment_tables(db: Database, now: datetime, funnel: str, department: str) -> dict[str, pd.DataFrame]:
	"""The plan the hourly job would apply now with the demo rule: planned moves and why others are skipped."""
	frame = plan_reassignments(db, now, [demo_rule(funnel, department)]).to_frame()
	if frame.empty:
		return {"counts": frame, "moves": frame}
	counts = (
		frame.assign(outcome=frame["skip_kind"].fillna(frame["status"]))
		.groupby("outcome", as_index=False)
		.size()
		.rename(columns={"size": "deals"})
	)
	moves = frame[frame["status"] == PLANNED][["deal", "stage", "from_user", "to_user", "reason"]]
	return {"counts": counts, "moves": moves.head(8)}


def print_other_reports(db: Database, now: datetime, funnel: str = "B2B New Customers") -> None:
	department = next(f.department for f in FUNNELS if f.title == funnel)
	with pd.option_context("display.width", 250, "display.max_columns", 30, "display.max_colwidth", 90):
		print("\nCall Outcomes, last full month, per manager (who turns calls into negotiations)")
		print(_text(call_outcome_table(db, now)))
		plan, targets = plan_fact_table(db, DEMO_COMPANY, now)
		print(
			f"\nPlan vs Fact, {DEMO_COMPANY}, quarter to {now:%Y-%m-%d} ({targets} targets: last year's quarter "
			f"+{round((PLAN_UPLIFT - 1) * 100)} %)"
		)
		print(_text(plan))
		print(f"\nDaily Payments, {DEMO_COMPANY}, morning of {now:%Y-%m-%d}")
		print(_text(daily_payments_table(db, DEMO_COMPANY, now)))
		tables = reassignment_tables(db, now, funnel, department)
		print(f"\nReassignment Preview: {funnel}, rule '{demo_rule(funnel, department).name}'")
		print(_text(tables["counts"]))
		if len(tables["moves"]):
			print("First planned moves")
			print(_text(tables["moves"]))

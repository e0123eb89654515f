"""What the main job prints about the demo site: the report runner's results (`bench_reports.py`) as tables, and
the Stage Conversion chart drawn from the report's own rows."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from devkit.demo.summary import write_conversion_chart

MAX_ROWS = 25
# report key -> (title, the columns to print; None: all)
SHOWN: dict[str, tuple[str, list[str] | None]] = {
	"stage_conversion": (
		"Stage Conversion: B2B New Customers, deals that entered in the last 12 months (vs the 12 months before)",
		["stage", "entered", "moved_on", "conversion_to_next", "target_conversion", "gap", "lost", "open",
		 "stale", "median_days", "previous_entered", "previous_conversion"],
	),
	"by_department": ("By department", ["stage", "entered", "moved_on", "conversion_from_entry", "open", "stale"]),
	"by_manager": (
		"By manager (who turns entries into wins)",
		["stage", "entered", "moved_on", "conversion_from_entry", "open", "stale"],
	),
	"call_outcomes": (
		"Call Outcomes, last full month, per manager (who turns calls into negotiations)",
		["label", "calls", "with_outcome", "outcome_pct", "negotiations", "negotiations_per_10", "meetings",
		 "deals", "won"],
	),
	"plan_vs_fact": (
		"Plan vs Fact, this quarter (plan: last year's quarter + 15 %)",
		["label", "invoiced_revenue_plan", "invoiced_revenue_fact", "invoiced_revenue_pct",
		 "payments_received_plan", "payments_received_fact", "payments_received_pct", "won_deals_plan",
		 "won_deals_fact", "won_deals_pct", "calls_with_outcome_plan", "calls_with_outcome_fact"],
	),
	"daily_payments": (
		"Daily Payments, this morning",
		["sales_person", "department", "due_tomorrow", "received_today", "due_this_week", "overdue"],
	),
	"stale_deals": ("Stale Deals (hope clients)", ["deal", "stage", "owner_name", "days_in_stage", "days_over"]),
	"reassignment_preview": (
		"Reassignment Preview: stale deals to the best converter (a dry run)",
		["deal", "status", "stage", "from_user", "to_user", "reason"],
	),
	"manager_ranking": ("Manager Ranking (the rule's converters)", None),
	"invoices_without_deal": (
		"Invoices Without Deal, last 90 days (the accountant's)",
		["invoice", "posting_date", "customer", "base_net_total", "reason", "suggested_deal"],
	),
}  # fmt: skip


def report_frame(report: dict[str, Any], columns: list[str] | None = None) -> pd.DataFrame:
	"""A report's rows as a table: tree rows indented, only `columns` (those the report has)."""
	fields = [c["fieldname"] if isinstance(c, dict) else str(c).split(":")[0] for c in report["columns"]]
	rows = [r if isinstance(r, dict) else dict(zip(fields, r, strict=False)) for r in report["result"]]
	frame = pd.DataFrame(rows)
	if frame.empty:
		return frame
	first = (columns or fields)[0]
	if "indent" in frame and first in frame:
		indent = frame["indent"].fillna(0).astype(int)
		frame[first] = [
			"  " * i + ("" if pd.isna(v) else str(v)) for i, v in zip(indent, frame[first], strict=True)
		]
	wanted = [c for c in (columns or fields) if c in frame]
	return frame[wanted]


def _text(frame: pd.DataFrame) -> str:
	frame = frame.copy()
	for column in frame.columns:
		values = frame[column]
		if pd.api.types.is_float_dtype(values) and (values.dropna() % 1 == 0).all():
			frame[column] = values.astype("Int64")
	return frame.astype(object).where(frame.notna(), "").to_string(index=False)


def print_site_summary(data: dict[str, Any], out_dir: Path) -> None:
	print(f"\nRows per doctype on {data['site']} (now {data['now'][:16]})")
	print(pd.Series(data["counts"]).to_string())
	print("\nDeals per funnel and current stage")
	print(_text(pd.DataFrame(data["deals_per_stage"]).drop(columns="position")))
	with pd.option_context("display.width", 250, "display.max_columns", 30, "display.max_colwidth", 60):
		for key, (title, columns) in SHOWN.items():
			report = data["reports"][key]
			frame = report_frame(report, columns)
			print(f"\n{title}  [{report['report']} as {report['user']}: {len(report['result'])} rows]")
			if frame.empty:
				print(report.get("message") or "(no rows)")
				continue
			print(_text(frame.head(MAX_ROWS)))
			if len(frame) > MAX_ROWS:
				print(f"… {len(frame) - MAX_ROWS} more rows")
	path = write_conversion_chart(
		conversion_tables(data["reports"]), out_dir / "stage_conversion.png", "B2B New Customers"
	)
	print(f"\nChart written to {path}")


def conversion_tables(reports: dict[str, Any]) -> dict[str, pd.DataFrame]:
	"""The chart's inputs (`devkit.demo.summary.write_conversion_chart`) from the Stage Conversion report's rows."""
	stages = report_frame(reports["stage_conversion"])
	stages = stages.rename(columns={"previous_entered": "prev_entered"})
	rows = pd.DataFrame(reports["by_manager"]["result"])
	groups = rows[rows["indent"] == 0].iloc[1:]  # the first group is the whole funnel, then one per manager
	managers = groups.rename(columns={"stage": "manager", "conversion_from_entry": "overall_conversion"})
	return {"stages": stages, "manager": managers[["manager", "overall_conversion"]]}

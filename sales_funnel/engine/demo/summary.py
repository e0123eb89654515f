"""What the main job prints about the demo company, read back from MariaDB through the `db` port."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

import pandas as pd

from sales_funnel.engine.conversion import WHOLE, ConversionFilters, stage_conversion
from sales_funnel.engine.db import Database
from sales_funnel.engine.schema.ddl import site_doctypes, table_name


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
	frame = pd.DataFrame(rows, columns=["funnel", "position", "stage", "open_deals", "won", "lost", "amount"])
	return frame.astype({"open_deals": int, "won": int, "lost": int})


def print_summary(db: Database, out_dir: Path, now: datetime) -> None:
	counts = table_counts(db)
	print("Rows per table")
	print(counts[counts["rows"] > 0].to_string(index=False))
	print("\nDeals per funnel and current stage")
	print(deals_per_stage(db).drop(columns="position").to_string(index=False))
	print_conversion(db, out_dir, now)


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

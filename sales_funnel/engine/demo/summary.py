"""What the main job prints about the demo company, read back from MariaDB through the `db` port."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

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


def print_summary(db: Database, out_dir: Path) -> None:
	counts = table_counts(db)
	print("Rows per table")
	print(counts[counts["rows"] > 0].to_string(index=False))
	print("\nDeals per funnel and current stage")
	print(deals_per_stage(db).drop(columns="position").to_string(index=False))
	out_dir.mkdir(parents=True, exist_ok=True)

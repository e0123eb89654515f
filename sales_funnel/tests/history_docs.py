# Copyright (c) 2026, Sales Funnel contributors
# For license information, please see license.txt
"""Funnels and deals for the bench tests of stage history, installation, patches and commands: a Sales Funnel made
with the document API, and Opportunities in the state they were in before the app existed (no stage history, no
`sf_stage_entered_at`, optionally no funnel), which is what the backfill and the install steps catch up on.

Every name is unique (`erpnext_docs.unique`), so tests never collide and need nothing from each other.
"""

from __future__ import annotations

from typing import Any

import frappe

from sales_funnel.tests import erpnext_docs as docs

STAGES = (
	"_Test SF History Inquiry",
	"_Test SF History Proposal",
	"_Test SF History Won",
	"_Test SF History Lost",
)
TRANSITION = "Funnel Stage Transition"


def funnel(company: str, *, source: str | None = None, priority: int = 900, **values: Any) -> str:
	"""A funnel of `company`: Inquiry, Proposal (open), Won, Lost. With `source`, the deals of that Lead Source go
	to it (its only rule); the test's own source keeps other deals out. Without, it takes no deal by itself."""
	inquiry, proposal, won, lost = (docs.sales_stage(stage) for stage in STAGES)
	return (
		frappe.get_doc(
			{
				"doctype": "Sales Funnel",
				"title": docs.unique("_Test SF History Funnel"),
				"company": company,
				"deal_doctype": "Opportunity",
				"enabled": 1,
				"priority": priority,
				"source": source,
				# empty, not None: Frappe fills a None Link with the user's default (ERPNext's customer group),
				# which would make it a rule that every deal of that group matches
				"customer_group": "",
				"stages": [
					{"stage": inquiry, "kind": "Open", "probability": 10},
					{"stage": proposal, "kind": "Open", "probability": 50},
					{"stage": won, "kind": "Won", "probability": 100},
					{"stage": lost, "kind": "Lost"},
				],
				**values,
			}
		)
		.insert(ignore_permissions=True)
		.name
	)


def lead_source() -> str:
	return docs.named("Lead Source", "source_name", docs.unique("_Test SF Source"))


def deals_before_the_app(
	company: str, count: int, *, source: str, in_funnel: bool = True, **values: Any
) -> list[str]:
	"""`count` Opportunities of `source` as a site that predates the app has them: no stage history and no
	`sf_stage_entered_at`; without a funnel unless `in_funnel` (the backfill then chooses it by the funnels'
	rules). They are made through the document API (the app's hooks record an entry) and then put back."""
	names = [docs.opportunity(company, source=source, **values).name for _ in range(count)]
	frappe.db.delete(TRANSITION, {"deal_doctype": "Opportunity", "deal": ("in", names)})
	frappe.db.sql(
		f"""UPDATE `tabOpportunity` SET sf_stage_entered_at = NULL{"" if in_funnel else ", sf_sales_funnel = NULL"}
		WHERE name IN %(names)s""",
		{"names": names},
	)
	return sorted(names)


def history(deal: str) -> list[dict[str, Any]]:
	"""The deal's rows in order."""
	return frappe.get_all(
		TRANSITION,
		filters={"deal_doctype": "Opportunity", "deal": deal},
		fields=["funnel", "from_stage", "to_stage", "from_position", "is_latest", "recorded_via"],
		order_by="transitioned_at asc, name asc",
	)


def latest_rows(deals: list[str]) -> dict[str, int]:
	"""Per deal with history, how many rows are latest (1 for a sound history)."""
	return dict(
		frappe.db.sql(
			f"""SELECT deal, SUM(is_latest) FROM `tab{TRANSITION}` WHERE deal_doctype = 'Opportunity'
			AND deal IN %(deals)s GROUP BY deal""",
			{"deals": deals},
		)
	)


def ledger_rows(company: str | None = None) -> list[tuple]:
	"""The credit ledger's content (names and credit columns), in a stable order."""
	return sorted(
		frappe.db.sql(
			"""SELECT name, voucher_type, voucher_no, invoice, company, posting_date, IFNULL(sales_person, ''),
				credited_via, credit_share, invoiced_revenue, gross_margin, payments_received
			FROM `tabSales Credit Entry` WHERE %(company)s IS NULL OR company = %(company)s""",
			{"company": company},
		)
	)

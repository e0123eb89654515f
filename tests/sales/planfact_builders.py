"""Hand-built sales documents for the plan/fact, payments and deal-link tests."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sales_funnel.engine.sales.credit_ledger import rebuild_credits
from tests.builders import COMPANY, insert

LEDGER_WRITTEN_AT = datetime(2026, 11, 1, 18, 0)

_counter = [0]


def _name(prefix: str) -> str:
	_counter[0] += 1
	return f"{prefix}-{_counter[0]:06d}"


def sales_people(db, tree: dict[str, Sequence[str]], root: str = "Sales Team") -> None:
	"""A Sales Person tree with nested-set lft/rgt; leaves named like `Alice` get Employee `EMP-Alice` with user
	`alice@example.com`. `tree` maps a group to its children."""
	rows: list[dict[str, Any]] = []
	counter = [0]

	def walk(name: str, parent: str | None) -> None:
		counter[0] += 1
		row = {"name": name, "sales_person_name": name, "parent_sales_person": parent or "", "enabled": 1}
		row["lft"] = counter[0]
		rows.append(row)
		children = tree.get(name, ())
		row["is_group"] = int(bool(children) or name in tree)
		for child in children:
			walk(child, name)
		counter[0] += 1
		row["rgt"] = counter[0]
		if not row["is_group"]:
			row["employee"] = f"EMP-{name}"

	walk(root, None)
	company(db)
	db.sql("DELETE FROM `tabSales Person`")
	insert(db, "Sales Person", rows)
	for row in rows:
		if not row["is_group"]:
			db.sql("DELETE FROM `tabEmployee` WHERE name = %s", (row["employee"],))
			insert(
				db,
				"Employee",
				[
					{
						"name": row["employee"],
						"employee_name": row["name"],
						"first_name": row["name"],
						"user_id": user(row["name"]),
						"company": COMPANY,
						"status": "Active",
					}
				],
			)


def company(db, name: str = COMPANY, currency: str = "USD") -> str:
	"""The Company row the reports check exists (once)."""
	if not db.sql("SELECT name FROM `tabCompany` WHERE name = %s", (name,)):
		insert(db, "Company", [{"name": name, "company_name": name, "default_currency": currency}])
	return name


def user(person: str) -> str:
	return f"{person.lower()}@example.com"


def opportunity(db, name: str, owner_person: str | None, created: datetime = datetime(2026, 1, 2)) -> None:
	insert(
		db,
		"Opportunity",
		[
			{
				"name": name,
				"company": COMPANY,
				"opportunity_from": "Lead",
				"status": "Open",
				"creation": created,
				"owner": "Administrator",
				"opportunity_owner": user(owner_person) if owner_person else None,
			}
		],
	)


def quotation(db, name: str, opportunity: str | None, item_opportunity: str | None = None) -> None:
	insert(db, "Quotation", [{"name": name, "company": COMPANY, "docstatus": 1, "opportunity": opportunity}])
	insert(
		db,
		"Quotation Item",
		[
			{
				"name": f"{name}-1",
				"parent": name,
				"parenttype": "Quotation",
				"parentfield": "items",
				"prevdoc_doctype": "Opportunity" if item_opportunity else None,
				"prevdoc_docname": item_opportunity,
			}
		],
	)


def sales_order(db, name: str, quotation_name: str | None) -> str:
	"""A submitted order with one line from the quotation; returns the line's name."""
	insert(db, "Sales Order", [{"name": name, "company": COMPANY, "docstatus": 1}])
	line = f"{name}-1"
	insert(
		db,
		"Sales Order Item",
		[
			{
				"name": line,
				"parent": name,
				"parenttype": "Sales Order",
				"parentfield": "items",
				"prevdoc_docname": quotation_name,
			}
		],
	)
	return line


def invoice(
	db,
	name: str,
	posting_date: date,
	items: Sequence[dict[str, Any]],
	*,
	team: Sequence[tuple[str, float]] = (),
	currency: str = "USD",
	conversion_rate: float = 1.0,
	docstatus: int = 1,
	is_return: int = 0,
	return_against: str | None = None,
	opportunity: str | None = None,
	ambiguous: int = 0,
	company: str = COMPANY,
	outstanding: float | None = None,
) -> None:
	"""A Sales Invoice; items are dicts with `base_net_amount` and optionally `stock_qty`, `incoming_rate`,
	`sales_order`, `so_detail` (amounts in the company currency; the document currency totals are derived).
	`outstanding`: the invoice's outstanding amount in its currency (receivable in the invoice currency), the
	grand total unless given, as ERPNext keeps it from the payments made whatever the payment schedule says."""
	base_net_total = round(sum(i["base_net_amount"] for i in items), 2)
	grand_total = round(base_net_total / conversion_rate, 2)
	insert(
		db,
		"Sales Invoice",
		[
			{
				"name": name,
				"company": company,
				"customer": "Customer A",
				"posting_date": posting_date,
				"currency": currency,
				"conversion_rate": conversion_rate,
				"base_net_total": base_net_total,
				"net_total": round(base_net_total / conversion_rate, 2),
				"base_grand_total": base_net_total,
				"grand_total": grand_total,
				"outstanding_amount": grand_total if outstanding is None else outstanding,
				"party_account_currency": currency,
				"docstatus": docstatus,
				"is_return": is_return,
				"return_against": return_against,
				"sf_opportunity": opportunity,
				"sf_deal_ambiguous": ambiguous,
			}
		],
	)
	for idx, item in enumerate(items, start=1):
		insert(
			db,
			"Sales Invoice Item",
			[
				{
					"name": f"{name}-i{idx}",
					"parent": name,
					"parenttype": "Sales Invoice",
					"parentfield": "items",
					"idx": idx,
					"docstatus": docstatus,
					"item_group": "Products",
					"stock_qty": item.get("stock_qty", 0),
					"qty": item.get("stock_qty", 0),
					"incoming_rate": item.get("incoming_rate", 0),
					"base_net_amount": item["base_net_amount"],
					"net_amount": round(item["base_net_amount"] / conversion_rate, 2),
					"sales_order": item.get("sales_order"),
					"so_detail": item.get("so_detail"),
				}
			],
		)
	for idx, (person, pct) in enumerate(team, start=1):
		insert(
			db,
			"Sales Team",
			[
				{
					"name": f"{name}-st{idx}",
					"parent": name,
					"parenttype": "Sales Invoice",
					"parentfield": "sales_team",
					"idx": idx,
					"sales_person": person,
					"allocated_percentage": pct,
					"allocated_amount": round(base_net_total * pct / 100, 2),
				}
			],
		)


def schedule(db, invoice_name: str, due: date, amount: float, outstanding: float, idx: int = 0) -> None:
	"""A Payment Schedule row; `outstanding` as ERPNext left it (it lowers it only for payments that name the
	row's payment term)."""
	insert(
		db,
		"Payment Schedule",
		[
			{
				"name": _name("ps"),
				"parent": invoice_name,
				"parenttype": "Sales Invoice",
				"parentfield": "payment_schedule",
				"idx": idx,
				"due_date": due,
				"payment_amount": amount,
				"outstanding": outstanding,
				"paid_amount": round(amount - outstanding, 2),
			}
		],
	)


def payment(
	db,
	posting_date: date,
	allocations: Sequence[tuple[str, float]],
	*,
	docstatus: int = 1,
	payment_type: str = "Receive",
	company: str = COMPANY,
) -> str:
	"""A Payment Entry allocating amounts (in the invoice currency) to invoices."""
	name = _name("PE")
	insert(
		db,
		"Payment Entry",
		[
			{
				"name": name,
				"company": company,
				"posting_date": posting_date,
				"payment_type": payment_type,
				"party_type": "Customer",
				"party": "Customer A",
				"docstatus": docstatus,
			}
		],
	)
	for idx, (invoice_name, amount) in enumerate(allocations, start=1):
		insert(
			db,
			"Payment Entry Reference",
			[
				{
					"name": f"{name}-r{idx}",
					"parent": name,
					"parenttype": "Payment Entry",
					"parentfield": "references",
					"idx": idx,
					"docstatus": docstatus,
					"reference_doctype": "Sales Invoice",
					"reference_name": invoice_name,
					"allocated_amount": amount,
				}
			],
		)
	return name


_transitions = [900_000]


def won(db, deal: str, owner_person: str, at: datetime, amount: float, *, is_latest: int = 1) -> None:
	_transitions[0] += 1
	insert(
		db,
		"Funnel Stage Transition",
		[
			{
				"name": _transitions[0],
				"deal_doctype": "Opportunity",
				"deal": deal,
				"funnel": "Test Funnel",
				"company": COMPANY,
				"to_stage": "Won",
				"to_kind": "Won",
				"transitioned_at": at,
				"deal_owner": user(owner_person),
				"amount": amount,
				"is_latest": is_latest,
			}
		],
	)


def call(db, person: str, at: datetime, outcome: str | None) -> None:
	insert(
		db,
		"Call Log",
		[
			{
				"name": _name("CALL"),
				"employee_user_id": user(person),
				"start_time": at,
				"sf_outcome": outcome,
				"status": "Completed",
				"type": "Outgoing",
			}
		],
	)


def call_outcomes(db) -> None:
	insert(
		db,
		"Call Outcome",
		[
			{"name": "Meeting Booked", "title": "Meeting Booked", "category": "Meeting Booked", "enabled": 1},
			{"name": "No Answer", "title": "No Answer", "category": "No Contact", "enabled": 1},
		],
	)


def ledger(db) -> int:
	"""The credit ledger built from the tables, as installation does: Plan vs Fact and Daily Payments read it."""
	return rebuild_credits(db, now=LEDGER_WRITTEN_AT)

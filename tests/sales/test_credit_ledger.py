"""The credit ledger: written document by document as they are submitted, corrected and cancelled, it equals a
rebuild from the tables at every step, and Plan vs Fact reads its figures (company currency USD, Q1 2026).

INV-1  2026-01-10  Alice 100 %: 1000 (10 x 60) + 500 (5 x 50)      revenue 1500, margin 650
INV-3  2026-02-10  no Sales Team, deal OPP-B (Bob): 800 (2 x 100)   revenue 800, margin 600
RET-3  2026-02-12  credit note of INV-3, no team, no deal: -400 (-1 x 100)   revenue -400, margin -300 (INV-3's)
PE-a   2026-02-15  300 of INV-3;  PE-b 2026-01-20  600 of INV-1
"""

from __future__ import annotations

from datetime import date, datetime

import pytest

from sales_funnel.engine.sales.credit_ledger import (
	CreditWrite,
	ledger_rows,
	rebuild_credits,
	write_credits,
)
from sales_funnel.engine.sales.facts import direct_facts
from tests.builders import COMPANY
from tests.sales import planfact_builders as b
from tests.sales.test_planfact import TREE_NOW

Q1 = (date(2026, 1, 1), date(2026, 3, 31))
AT = datetime(2026, 3, 1, 9, 0)


def write(db, **documents) -> CreditWrite:
	return write_credits(db, now=AT, **documents)


def assert_equals_rebuild(db) -> None:
	written = ledger_rows(db)
	rebuild_credits(db, now=AT)
	assert ledger_rows(db) == written


def facts(db) -> dict[str, dict[str, float]]:
	frame = direct_facts(db, COMPANY, *Q1, ("invoiced_revenue", "gross_margin", "payments_received"))
	return {person: {k: round(v, 2) for k, v in row.items()} for person, row in frame.iterrows() if row.any()}


def submit_documents(db) -> tuple[str, str]:
	b.sales_people(db, TREE_NOW)
	b.opportunity(db, "OPP-A", "Alice")
	b.opportunity(db, "OPP-B", "Bob")
	b.invoice(
		db,
		"INV-1",
		date(2026, 1, 10),
		[
			{"base_net_amount": 1000, "stock_qty": 10, "incoming_rate": 60},
			{"base_net_amount": 500, "stock_qty": 5, "incoming_rate": 50},
		],
		team=[("Alice", 100)],
	)
	assert write(db, invoices=["INV-1"]) == CreditWrite(invoices=1, payments=0, rows=1)
	assert_equals_rebuild(db)
	b.invoice(
		db,
		"INV-3",
		date(2026, 2, 10),
		[{"base_net_amount": 800, "stock_qty": 2, "incoming_rate": 100}],
		opportunity="OPP-B",
	)
	write(db, invoices=["INV-3"])
	b.invoice(
		db,
		"RET-3",
		date(2026, 2, 12),
		[{"base_net_amount": -400, "stock_qty": -1, "incoming_rate": 100}],
		is_return=1,
		return_against="INV-3",
	)
	write(db, invoices=["RET-3"])
	assert_equals_rebuild(db)
	pe_a = b.payment(db, date(2026, 2, 15), [("INV-3", 300)])
	write(db, payments=[pe_a])
	pe_b = b.payment(db, date(2026, 1, 20), [("INV-1", 600)])
	write(db, payments=[pe_b])
	assert_equals_rebuild(db)
	return pe_a, pe_b


def test_rows_written_on_submit_equal_a_rebuild_and_carry_the_credited_figures(db):
	submit_documents(db)
	assert facts(db) == {
		"Alice": {"invoiced_revenue": 1500, "gross_margin": 650, "payments_received": 600},
		# the credit note has no team and no deal of its own: the returned invoice's deal owner
		"Bob": {"invoiced_revenue": 400, "gross_margin": 300, "payments_received": 300},
	}
	rows = {(r["voucher_no"], r["sales_person"]): r for r in ledger_rows(db)}
	assert rows[("INV-3", "Bob")]["credited_via"] == "Deal Owner"
	assert rows[("INV-1", "Alice")]["credited_via"] == "Sales Team"
	assert rows[("INV-1", "Alice")]["credit_share"] == pytest.approx(100)
	assert rows[("RET-3", "Bob")]["invoice"] == "RET-3"
	assert len(rows) == 5  # three invoices, two payments


def test_writing_again_and_rebuilding_again_change_nothing(db):
	pe_a, _ = submit_documents(db)
	before = ledger_rows(db)
	write(db, invoices=["INV-1", "INV-3"], payments=[pe_a])
	assert ledger_rows(db) == before
	assert rebuild_credits(db, now=AT) == 5
	assert ledger_rows(db) == before


def test_correcting_the_deal_moves_the_invoice_its_credit_notes_and_its_payments(db):
	_pe_a, _ = submit_documents(db)
	db.sql("UPDATE `tabSales Invoice` SET sf_opportunity = 'OPP-A' WHERE name = 'INV-3'")
	written = write(db, invoices=["INV-3"])
	assert written.invoices == 2 and written.payments == 1  # INV-3, RET-3 and PE-a
	assert facts(db) == {
		"Alice": {"invoiced_revenue": 1900, "gross_margin": 950, "payments_received": 900},
	}
	assert_equals_rebuild(db)


def test_reconciliation_changing_a_payments_references(db):
	submit_documents(db)
	advance = b.payment(db, date(2026, 2, 1), [("INV-1", 0)])  # unallocated: no credit yet
	assert write(db, payments=[advance]).rows == 0
	db.sql(
		"UPDATE `tabPayment Entry Reference` SET allocated_amount = 200 WHERE parent = %s", (advance,)
	)  # ERPNext's reconcile_against_document saves the submitted entry with the allocation
	write(db, payments=[advance])
	assert facts(db)["Alice"]["payments_received"] == 800
	assert_equals_rebuild(db)


def test_cancelling_removes_the_facts(db):
	pe_a, _pe_b = submit_documents(db)
	db.sql("UPDATE `tabPayment Entry` SET docstatus = 2 WHERE name = %s", (pe_a,))
	write(db, payments=[pe_a])
	assert facts(db)["Bob"]["payments_received"] == 0
	assert_equals_rebuild(db)
	# an invoice cancelled with its payments unlinked (ERPNext's unlink_ref_doc_from_payment_entries sets their
	# allocated amounts to 0): its rows and those of its payments go
	db.sql("UPDATE `tabPayment Entry Reference` SET allocated_amount = 0 WHERE reference_name = 'INV-1'")
	db.sql("UPDATE `tabSales Invoice` SET docstatus = 2 WHERE name = 'INV-1'")
	written = write(db, invoices=["INV-1"])
	assert written.payments == 1 and written.rows == 0
	assert facts(db) == {"Bob": {"invoiced_revenue": 400, "gross_margin": 300, "payments_received": 0}}
	assert {r["voucher_no"] for r in ledger_rows(db)} == {"INV-3", "RET-3"}
	assert_equals_rebuild(db)


def test_the_deal_owner_is_frozen_until_the_invoice_is_written_again(db):
	submit_documents(db)
	db.sql("UPDATE `tabOpportunity` SET opportunity_owner = %s WHERE name = 'OPP-B'", (b.user("Carol"),))
	assert facts(db)["Bob"]["invoiced_revenue"] == 400  # reassigning the deal moves no invoiced revenue
	rebuild_credits(db, now=AT)
	assert facts(db)["Carol"] == {"invoiced_revenue": 400, "gross_margin": 300, "payments_received": 300}


def test_rebuild_reports_its_progress_by_company_year(db):
	"""`progress(done, chunks)` after each company-year: 1..n of n, after that chunk's `after_chunk`."""
	submit_documents(db)
	b.invoice(
		db, "INV-O", date(2025, 3, 5), [{"base_net_amount": 70}], team=[("Dave", 100)], company="Other Co"
	)
	events: list[tuple] = []
	rebuild_credits(
		db,
		now=AT,
		after_chunk=lambda label, rows: events.append(("chunk", label)),
		progress=lambda done, total: events.append(("progress", done, total)),
	)
	chunks = [e[1] for e in events if e[0] == "chunk"]
	assert len(chunks) >= 2 and "Other Co 2025" in chunks
	steps = [e[1:] for e in events if e[0] == "progress"]
	assert steps == [(i, len(chunks)) for i in range(1, len(chunks) + 1)]
	assert [e[0] for e in events] == ["chunk", "progress"] * len(chunks)


def test_rebuild_of_one_company_leaves_the_others(db):
	submit_documents(db)
	b.invoice(
		db, "INV-O", date(2026, 1, 5), [{"base_net_amount": 70}], team=[("Dave", 100)], company="Other Co"
	)
	write(db, invoices=["INV-O"])
	rebuild_credits(db, now=AT, company=COMPANY)
	assert len(ledger_rows(db, company="Other Co")) == 1
	assert len(ledger_rows(db, company=COMPANY)) == 5


def test_rewriting_demo_invoices_and_payments_restores_their_rows(demo_db):
	"""On the demo company (Sales Teams, returns, currencies): the rows of a sample of documents, deleted and
	written again document by document, are the rows the demo's rebuild wrote."""
	full = ledger_rows(demo_db)
	assert full
	invoices = [r[0] for r in demo_db.sql("SELECT name FROM `tabSales Invoice` ORDER BY name LIMIT 40")]
	returns = [r[0] for r in demo_db.sql("SELECT name FROM `tabSales Invoice` WHERE is_return = 1 LIMIT 5")]
	payments = [r[0] for r in demo_db.sql("SELECT name FROM `tabPayment Entry` ORDER BY name DESC LIMIT 40")]
	demo_db.sql(
		"DELETE FROM `tabSales Credit Entry` WHERE voucher_no IN %(names)s",
		{"names": tuple(invoices + returns + payments)},
	)
	assert len(ledger_rows(demo_db)) < len(full)
	for name in invoices + returns:
		write_credits(demo_db, invoices=[name], now=AT)
	for name in payments:
		write_credits(demo_db, payments=[name], now=AT)
	assert ledger_rows(demo_db) == full

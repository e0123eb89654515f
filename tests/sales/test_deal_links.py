"""Tracing invoices to the deals they realise (Sales Invoice Item -> Sales Order -> Quotation -> Opportunity)."""

from __future__ import annotations

from datetime import date

import pytest

from sales_funnel.engine.i18n import InvalidInput
from sales_funnel.engine.sales.deal_links import (
	AMBIGUOUS_REASON,
	NO_DEAL_REASON,
	DealLink,
	choose_deal,
	deal_of_items,
	deals_of_invoices,
	deals_of_orders,
	deals_of_quotations,
	invoices_without_deal,
	quotation_deals,
	trace_invoices,
)
from tests.builders import COMPANY
from tests.sales import planfact_builders as b

DAY = date(2026, 3, 2)


def chain(db) -> dict[str, str]:
	"""OPP-A <- Q-A (Quotation.opportunity) <- SO-A; OPP-B <- Q-B (only its item's prevdoc) <- SO-B;
	SO-N from a quotation of no deal. Returns the order lines."""
	b.company(db)
	b.opportunity(db, "OPP-A", "Alice")
	b.opportunity(db, "OPP-B", "Bob")
	b.quotation(db, "Q-A", "OPP-A")
	b.quotation(db, "Q-B", None, item_opportunity="OPP-B")
	b.quotation(db, "Q-N", None)
	return {
		"SO-A": b.sales_order(db, "SO-A", "Q-A"),
		"SO-B": b.sales_order(db, "SO-B", "Q-B"),
		"SO-N": b.sales_order(db, "SO-N", "Q-N"),
	}


def item(amount: float, order: str | None = None, line: str | None = None) -> dict:
	return {"base_net_amount": amount, "sales_order": order, "so_detail": line}


def test_invoice_from_order_from_quotation_from_opportunity(db):
	lines = chain(db)
	b.invoice(db, "INV-A", DAY, [item(100, "SO-A", lines["SO-A"]), item(50, "SO-A", lines["SO-A"])])
	b.invoice(db, "INV-B", DAY, [item(70, "SO-B")])  # no so_detail: the order's quotation lines decide
	traced = trace_invoices(db, invoices=["INV-A", "INV-B"])
	assert traced["INV-A"] == DealLink("OPP-A", 1, 1.0)
	assert traced["INV-B"] == DealLink("OPP-B", 1, 1.0)
	assert deal_of_items(db, [item(100, "SO-A", lines["SO-A"])]) == DealLink("OPP-A", 1, 1.0)


def test_direct_invoice_has_no_deal(db):
	lines = chain(db)
	b.invoice(db, "INV-D", DAY, [item(100)])
	b.invoice(db, "INV-N", DAY, [item(100, "SO-N", lines["SO-N"])])  # the order came from no deal
	assert trace_invoices(db, invoices=["INV-D", "INV-N"]) == {}
	assert deal_of_items(db, [item(100)]).opportunity is None
	rows = {row["invoice"]: row for row in invoices_without_deal(db, COMPANY)}
	assert rows["INV-D"]["reason"] == NO_DEAL_REASON and rows["INV-D"]["suggested_deal"] is None


def test_two_orders_of_two_deals_larger_share_wins_and_is_listed(db):
	lines = chain(db)
	items = [item(300, "SO-A", lines["SO-A"]), item(700, "SO-B", lines["SO-B"]), item(50)]
	b.invoice(db, "INV-MIX", DAY, items, opportunity="OPP-B", ambiguous=1)
	b.invoice(db, "INV-A", DAY, [item(100, "SO-A", lines["SO-A"])], opportunity="OPP-A")
	link = trace_invoices(db, company=COMPANY)["INV-MIX"]
	assert link == DealLink("OPP-B", 2, 0.7)
	assert link.ambiguous
	assert deal_of_items(db, items) == link
	rows = {row["invoice"]: row for row in invoices_without_deal(db, COMPANY, DAY, DAY)}
	assert set(rows) == {"INV-MIX"}  # INV-A has its deal
	assert rows["INV-MIX"]["reason"] == AMBIGUOUS_REASON
	assert rows["INV-MIX"]["suggested_deal"] == "OPP-B" and rows["INV-MIX"]["share"] == 70.0
	assert rows["INV-MIX"]["deals"] == 2


def test_equal_shares_choose_the_first_deal_by_name():
	assert choose_deal({"OPP-B": 10, "OPP-A": 10}) == DealLink("OPP-A", 2, 0.5)
	assert choose_deal({}) == DealLink(None)


def test_credit_note_takes_the_deal_of_the_invoice_it_returns(db):
	lines = chain(db)
	b.invoice(db, "INV-A", DAY, [item(100, "SO-A", lines["SO-A"])], opportunity="OPP-A")
	b.invoice(db, "RET-A", DAY, [item(-30)], is_return=1, return_against="INV-A")
	assert trace_invoices(db, invoices=["RET-A"])["RET-A"].opportunity == "OPP-A"
	assert deal_of_items(db, [item(-30)], return_against="INV-A").opportunity == "OPP-A"
	# drafts are not traced unless asked for
	b.invoice(db, "INV-DRAFT", DAY, [item(10, "SO-A", lines["SO-A"])], docstatus=0)
	assert "INV-DRAFT" not in trace_invoices(db, invoices=["INV-DRAFT"])
	assert (
		trace_invoices(db, invoices=["INV-DRAFT"], submitted_only=False)["INV-DRAFT"].opportunity == "OPP-A"
	)


def test_one_chain_serves_the_invoice_deal_and_the_stage_moves(db):
	"""A quotation naming its own deal (OPP-B) with an item from another (OPP-A): the invoice's deal is the
	quotation's own, in SQL and in memory; the stage moves reach every deal the chain names."""
	lines = chain(db)
	b.quotation(db, "Q-M", "OPP-B", item_opportunity="OPP-A")
	lines["SO-M"] = b.sales_order(db, "SO-M", "Q-M")
	b.invoice(db, "INV-M", DAY, [item(100, "SO-M", lines["SO-M"])])
	assert quotation_deals(db, ["Q-M", "Q-N", None])["Q-M"].all == ["OPP-B", "OPP-A"]
	assert "Q-N" not in quotation_deals(db, ["Q-N"])
	assert trace_invoices(db, invoices=["INV-M"])["INV-M"] == DealLink("OPP-B", 1, 1.0)
	assert deal_of_items(db, [item(100, "SO-M", lines["SO-M"])]) == DealLink("OPP-B", 1, 1.0)
	assert deal_of_items(db, [item(100, "SO-M")]) == DealLink("OPP-B", 1, 1.0)  # by the order
	b.invoice(db, "INV-2", DAY, [item(10, "SO-M", lines["SO-M"]), item(20, "SO-A", lines["SO-A"])])
	assert deals_of_invoices(db, ["INV-2"]) == ["OPP-A", "OPP-B"]  # Q-A's, then Q-M's own and its item's
	assert deals_of_orders(db, ["SO-M", "SO-N"]) == ["OPP-B", "OPP-A"]
	assert deals_of_quotations(db, ["Q-B"]) == ["OPP-B"]  # only its item names the deal
	assert deals_of_invoices(db, []) == [] and deals_of_orders(db, ["SO-N"]) == []


def test_demo_invoices_trace_to_their_deals(demo_db):
	"""Every demo invoice comes from an order from a quotation from its deal; the trace must agree with the
	quotation chain for all of them."""
	traced = trace_invoices(demo_db)
	# deals that skipped the quotation stage have orders from no quotation: those invoices reach no deal
	reachable = demo_db.sql(
		"""SELECT COUNT(DISTINCT sii.parent) FROM `tabSales Invoice Item` sii
		JOIN `tabSales Order Item` soi ON soi.name = sii.so_detail
		JOIN `tabQuotation` q ON q.name = soi.prevdoc_docname"""
	)[0][0]
	assert reachable > 100
	originals = {name for name, link in traced.items() if not name.startswith("ACC-SINV-RET-")}
	assert len(originals) == reachable
	assert all(not link.ambiguous for link in traced.values())
	sample = demo_db.sql(
		"""SELECT sii.parent, q.opportunity FROM `tabSales Invoice Item` sii
		JOIN `tabSales Order Item` soi ON soi.name = sii.so_detail
		JOIN `tabQuotation` q ON q.name = soi.prevdoc_docname LIMIT 200"""
	)
	for invoice, opportunity in sample:
		assert traced[invoice].opportunity == opportunity


def test_invoices_without_deal_need_a_company_that_exists(db):
	"""Without a company the query's `company` condition was dropped and every company's invoices came back."""
	b.company(db)
	b.invoice(db, "INV-D", DAY, [item(100)])
	b.invoice(db, "INV-OTHER", DAY, [item(100)], company="Other Co")
	assert {row["invoice"] for row in invoices_without_deal(db, COMPANY)} == {"INV-D"}
	for company in (None, ""):
		with pytest.raises(InvalidInput, match="Choose a Company"):
			invoices_without_deal(db, company)
	with pytest.raises(InvalidInput, match="Company Other Co does not exist"):
		invoices_without_deal(db, "Other Co")
	with pytest.raises(InvalidInput, match="out of range"):
		invoices_without_deal(db, COMPANY, date(1, 1, 1), DAY)
	with pytest.raises(InvalidInput, match="is after To Date"):
		invoices_without_deal(db, COMPANY, DAY, date(2026, 1, 1))

"""Which deal (Opportunity) a Sales Invoice realises, by ERPNext's own document chain.

ERPNext v15 links the documents like this (no field on the invoice names the deal):

	Sales Invoice Item.sales_order / so_detail  -> Sales Order (Item)
	Sales Order Item.prevdoc_docname            -> Quotation
	Quotation.opportunity                       -> Opportunity
	  (else Quotation Item.prevdoc_docname with prevdoc_doctype "Opportunity")

Rules:

- each invoice item is traced through its own order line (`so_detail`); an item with only `sales_order`
  takes the deal of that order's quotation lines;
- the invoice's amount per deal is the sum of its traced items' `base_net_amount`; the deal with the largest
  amount wins (ties: the alphabetically first name, so the answer is stable), and an invoice whose items reach
  more than one deal is *ambiguous*;
- an invoice made directly (no item from an order, or orders that came from no quotation / opportunity) has no
  deal; an accountant sets it by hand (Sales Invoice `sf_opportunity`, allowed on submit);
- a credit note (return) traces through its own items like any invoice; if they reach no deal, it realises
  the deal of the invoice it returns (`return_against`).

`trace_invoices` does it set-based in SQL for many invoices; `deal_of_items` does it for one document in
memory (the Frappe layer on submit), with the same rule (`choose_deal`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sales_funnel.engine.db import Database
from sales_funnel.engine.i18n import InvalidInput, Message, _
from sales_funnel.engine.inputs import check_company, check_date


@dataclass(frozen=True)
class DealLink:
	opportunity: str | None  # the winning deal, None when the chain reaches none
	deals: int = 0  # how many different deals the invoice's items reach
	share: float = 0.0  # the winning deal's share of the traced items' base net amount (0..1)

	@property
	def ambiguous(self) -> bool:
		return self.deals > 1


NO_DEAL = DealLink(None)


def choose_deal(amounts: Mapping[str, float]) -> DealLink:
	"""The deal with the largest amount (ties: the first name); `amounts` maps deal -> base net amount."""
	deals = {deal: float(amount or 0) for deal, amount in amounts.items() if deal}
	if not deals:
		return NO_DEAL
	winner = min(deals, key=lambda deal: (-deals[deal], deal))
	total = sum(abs(amount) for amount in deals.values())
	share = abs(deals[winner]) / total if total else 1.0
	return DealLink(winner, len(deals), round(share, 6))


# SQL fragment: a quotation's deal, set-based (`QuotationDeals.deal` in memory; the tests hold them equal)
_QUOTATION_DEAL = """COALESCE(
	NULLIF(q.opportunity, ''),
	(SELECT MIN(qi.prevdoc_docname) FROM `tabQuotation Item` qi
		WHERE qi.parent = q.name AND qi.parenttype = 'Quotation' AND qi.prevdoc_doctype = 'Opportunity'
		AND IFNULL(qi.prevdoc_docname, '') != '')
)"""


@dataclass(frozen=True)
class QuotationDeals:
	"""The deals a quotation names: its own (`Quotation.opportunity`) and its items' (`prevdoc_docname` where
	`prevdoc_doctype` is Opportunity, in item order)."""

	own: str | None = None
	items: tuple[str, ...] = ()

	@property
	def deal(self) -> str | None:
		"""The one deal the quotation realises: its own, else its items' first by name (`_QUOTATION_DEAL`)."""
		return self.own or (min(self.items) if self.items else None)

	@property
	def all(self) -> list[str]:
		"""Every deal it names, its own first (distinct)."""
		return _distinct([self.own, *self.items])


def quotation_deals(db: Database, quotations: Iterable[str | None]) -> dict[str, QuotationDeals]:
	"""The deals of each of these quotations (those naming none are absent). The one source of the chain's last
	step for the stage moves of documents (`deals_of_*`) and for an invoice's deal (`deals_of_order_lines`)."""
	names = _distinct(quotations)
	if not names:
		return {}
	rows = db.sql(
		"""SELECT q.name, 0 AS place, 0 AS idx, q.opportunity FROM `tabQuotation` q
		WHERE q.name IN %(names)s AND IFNULL(q.opportunity, '') != ''
		UNION ALL
		SELECT qi.parent, 1, qi.idx, qi.prevdoc_docname FROM `tabQuotation Item` qi
		WHERE qi.parent IN %(names)s AND qi.parenttype = 'Quotation' AND qi.prevdoc_doctype = 'Opportunity'
			AND IFNULL(qi.prevdoc_docname, '') != ''
		ORDER BY 1, 2, 3""",
		{"names": tuple(names)},
	)
	found: dict[str, QuotationDeals] = {}
	for quotation, place, _idx, deal in rows:
		current = found.get(quotation, QuotationDeals())
		if place == 0:
			found[quotation] = QuotationDeals(deal, current.items)
		else:
			found[quotation] = QuotationDeals(current.own, (*current.items, deal))
	return found


def _order_lines(db: Database, lines: Sequence[str], orders: Sequence[str]) -> list[tuple[str, str, str]]:
	"""(line, order, quotation) of the given Sales Order Items and of every line of the given orders."""
	conditions, values = [], {}
	if lines:
		conditions.append("soi.name IN %(lines)s")
		values["lines"] = tuple(lines)
	if orders:
		conditions.append("soi.parent IN %(orders)s")
		values["orders"] = tuple(orders)
	if not conditions:
		return []
	return [
		(line, order, quotation)
		for line, order, quotation in db.sql(
			f"""SELECT soi.name, soi.parent, soi.prevdoc_docname FROM `tabSales Order Item` soi
			WHERE ({" OR ".join(conditions)}) AND soi.parenttype = 'Sales Order'
				AND IFNULL(soi.prevdoc_docname, '') != ''
			ORDER BY soi.parent, soi.idx""",
			values,
		)
	]


def deals_of_order_lines(
	db: Database, so_details: Iterable[str | None], orders: Iterable[str | None]
) -> tuple[dict[str, str], dict[str, str]]:
	"""(deal by Sales Order Item name, deal by Sales Order name) for the given order lines and orders: a line's
	deal is its quotation's (`QuotationDeals.deal`), an order's the first by name of its lines' deals."""
	lines = sorted({name for name in so_details if name})
	order_names = sorted({name for name in orders if name})
	rows = _order_lines(db, lines, order_names)
	deals = quotation_deals(db, (quotation for _line, _order, quotation in rows))
	wanted_lines, wanted_orders = set(lines), set(order_names)
	by_line: dict[str, str] = {}
	by_order: dict[str, str] = {}
	for line, order, quotation in rows:
		deal = deals[quotation].deal if quotation in deals else None
		if not deal:
			continue
		if line in wanted_lines:
			by_line[line] = deal
		if order in wanted_orders:
			by_order[order] = min(deal, by_order.get(order, deal))
	return by_line, by_order


# Every deal a document reaches (the stage moves of services/document_moves.py)
# ----------------------------------------------------------------------


def deals_of_quotations(db: Database, quotations: Iterable[str | None]) -> list[str]:
	"""The distinct deals these quotations name (each quotation's own first, then its items')."""
	deals = quotation_deals(db, quotations)
	return _distinct(deal for quotation in sorted(deals) for deal in deals[quotation].all)


def deals_of_orders(db: Database, orders: Iterable[str | None]) -> list[str]:
	"""The distinct deals of the quotations these Sales Orders' lines come from."""
	rows = _order_lines(db, [], _distinct(orders))
	return deals_of_quotations(db, (quotation for _line, _order, quotation in rows))


def deals_of_invoices(db: Database, invoices: Iterable[str | None]) -> list[str]:
	"""The distinct deals of the Sales Orders these Sales Invoices' items come from."""
	names = _distinct(invoices)
	if not names:
		return []
	orders = db.sql(
		"""SELECT DISTINCT sales_order FROM `tabSales Invoice Item`
		WHERE parent IN %(names)s AND parenttype = 'Sales Invoice' AND IFNULL(sales_order, '') != ''""",
		{"names": tuple(names)},
	)
	return deals_of_orders(db, (row[0] for row in orders))


def _distinct(names: Iterable[str | None]) -> list[str]:
	return list(dict.fromkeys(name for name in names if name))


def deal_of_items(
	db: Database, items: Sequence[Mapping[str, Any]], return_against: str | None = None
) -> DealLink:
	"""The deal of one invoice from its item rows (`sales_order`, `so_detail`, `base_net_amount`), as they are in
	memory; a return whose items reach no deal takes the deal of `return_against`."""
	by_line, by_order = deals_of_order_lines(
		db, (row.get("so_detail") for row in items), (row.get("sales_order") for row in items)
	)
	amounts: dict[str, float] = {}
	for row in items:
		deal = by_line.get(row.get("so_detail") or "") or by_order.get(row.get("sales_order") or "")
		if deal:
			amounts[deal] = amounts.get(deal, 0.0) + float(row.get("base_net_amount") or 0)
	link = choose_deal(amounts)
	if link.opportunity is None and return_against:
		original = db.sql("SELECT sf_opportunity FROM `tabSales Invoice` WHERE name = %s", (return_against,))
		if original and original[0][0]:
			return DealLink(original[0][0], 1, 1.0)
	return link


def trace_invoices(
	db: Database,
	*,
	invoices: Sequence[str] | None = None,
	company: str | None = None,
	from_date: date | None = None,
	to_date: date | None = None,
	submitted_only: bool = True,
) -> dict[str, DealLink]:
	"""The traced deal of every selected invoice (by name, company and posting date), set-based: one query.

	Invoices that trace to no deal are absent from the result."""
	conditions, values = _invoice_conditions(invoices, company, from_date, to_date, submitted_only)
	rows = db.sql(
		f"""WITH inv AS (
			SELECT si.name, si.return_against FROM `tabSales Invoice` si WHERE {conditions}
		),
		item_deal AS (
			SELECT sii.parent AS invoice, SUM(sii.base_net_amount) AS amount,
				COALESCE(
					(SELECT {_QUOTATION_DEAL} FROM `tabSales Order Item` soi
						JOIN `tabQuotation` q ON q.name = soi.prevdoc_docname
						WHERE soi.name = sii.so_detail AND soi.parenttype = 'Sales Order'),
					(SELECT MIN({_QUOTATION_DEAL}) FROM `tabSales Order Item` soi
						JOIN `tabQuotation` q ON q.name = soi.prevdoc_docname
						WHERE soi.parent = sii.sales_order AND soi.parenttype = 'Sales Order')
				) AS deal
			FROM inv JOIN `tabSales Invoice Item` sii ON sii.parent = inv.name AND sii.parenttype = 'Sales Invoice'
			WHERE IFNULL(sii.sales_order, '') != ''
			GROUP BY sii.parent, deal
		),
		ranked AS (
			SELECT invoice, deal, amount,
				ROW_NUMBER() OVER (PARTITION BY invoice ORDER BY amount DESC, deal) AS place,
				COUNT(*) OVER (PARTITION BY invoice) AS deals,
				SUM(ABS(amount)) OVER (PARTITION BY invoice) AS traced
			FROM item_deal WHERE deal IS NOT NULL
		)
		SELECT inv.name,
			COALESCE(r.deal, NULLIF(orig.sf_opportunity, '')) AS deal,
			CASE WHEN r.deal IS NOT NULL THEN r.deals ELSE 1 END AS deals,
			CASE WHEN r.deal IS NULL THEN 1 WHEN r.traced = 0 THEN 1 ELSE ABS(r.amount) / r.traced END AS share
		FROM inv
		LEFT JOIN ranked r ON r.invoice = inv.name AND r.place = 1
		LEFT JOIN `tabSales Invoice` orig ON orig.name = inv.return_against AND r.deal IS NULL
		WHERE r.deal IS NOT NULL OR IFNULL(orig.sf_opportunity, '') != ''""",
		values,
	)
	return {name: DealLink(deal, int(deals), round(float(share), 6)) for name, deal, deals, share in rows}


def _invoice_conditions(
	invoices: Sequence[str] | None,
	company: str | None,
	from_date: date | None,
	to_date: date | None,
	submitted_only: bool,
) -> tuple[str, dict[str, Any]]:
	conditions = ["si.docstatus = 1" if submitted_only else "si.docstatus < 2"]
	values: dict[str, Any] = {}
	if invoices is not None:
		if not invoices:
			conditions.append("FALSE")
		else:
			conditions.append("si.name IN %(invoices)s")
			values["invoices"] = tuple(invoices)
	if company:
		conditions.append("si.company = %(company)s")
		values["company"] = company
	if from_date:
		conditions.append("si.posting_date >= %(from_date)s")
		values["from_date"] = from_date
	if to_date:
		conditions.append("si.posting_date <= %(to_date)s")
		values["to_date"] = to_date
	return " AND ".join(conditions), values


# The Invoices Without Deal report
# --------------------------------

NO_DEAL_REASON = _("No deal")
AMBIGUOUS_REASON = _("Several deals")


def invoices_without_deal(
	db: Database, company: str, from_date: date | None = None, to_date: date | None = None
) -> list[dict[str, Any]]:
	"""Submitted invoices of `company` that have no deal, or whose items reach several deals and the deal was not
	confirmed by hand since (`sf_deal_ambiguous`), with the deal the chain suggests.

	Rows: invoice, posting_date, customer, is_return, base_net_total, deal (as set), suggested_deal, deals (how
	many the items reach), share (of the suggested deal, %), reason (an English `_()` text).

	`company` must be a Company (InvalidInput otherwise: without one the list would hold every company's
	invoices); the dates are optional, each in range and the first not after the second."""
	check_company(db, company)
	if from_date is not None:
		check_date(from_date, _("From Date"))
	if to_date is not None:
		check_date(to_date, _("To Date"))
	if from_date is not None and to_date is not None and from_date > to_date:
		raise InvalidInput(Message(_("From Date {0} is after To Date {1}."), (from_date, to_date)))
	conditions, values = _invoice_conditions(None, company, from_date, to_date, True)
	rows = db.sql(
		f"""SELECT si.name AS invoice, si.posting_date, si.customer, si.is_return, si.base_net_total,
			NULLIF(si.sf_opportunity, '') AS deal, si.sf_deal_ambiguous AS ambiguous
		FROM `tabSales Invoice` si
		WHERE {conditions} AND (IFNULL(si.sf_opportunity, '') = '' OR si.sf_deal_ambiguous = 1)
		ORDER BY si.posting_date DESC, si.name DESC""",
		values,
		as_dict=True,
	)
	traced = trace_invoices(db, invoices=[row["invoice"] for row in rows]) if rows else {}
	result = []
	for row in rows:
		link = traced.get(row["invoice"], NO_DEAL)
		result.append(
			{
				"invoice": row["invoice"],
				"posting_date": row["posting_date"],
				"customer": row["customer"],
				"is_return": int(row["is_return"] or 0),
				"base_net_total": float(row["base_net_total"] or 0),
				"deal": row["deal"],
				"suggested_deal": link.opportunity,
				"deals": link.deals,
				"share": round(link.share * 100, 1) if link.opportunity else None,
				"reason": AMBIGUOUS_REASON if row["deal"] or link.ambiguous else NO_DEAL_REASON,
			}
		)
	return result

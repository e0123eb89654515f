"""The credit ledger (`Sales Credit Entry`): revenue, margin and payments already credited to Sales People.

One row per submitted Sales Invoice and credited Sales Person, and per submitted Payment Entry, invoice it pays
and credited Sales Person: company, posting date, and the amounts in the company currency already multiplied by
the credit share. The rows are exactly `crediting.invoice_credit_rows` / `payment_credit_rows` (the same SQL,
restricted to the documents written), so the ledger and a direct computation cannot disagree. Plan vs Fact and
Daily Payments read the ledger through one covering index instead of joining every invoice of a period to its
items, Sales Team, returned invoice and deal.

When rows are written: on submit and cancel of a Sales Invoice or Payment Entry, and when a submitted one changes
its crediting (an accountant corrects the invoice's deal; ERPNext's payment reconciliation changes a Payment
Entry's references). `write_credits` rewrites the rows of the given documents and of those whose rows follow
them: the credit notes returning a given invoice (they may take its Sales Team or deal) and every payment
allocated to any of these invoices. `rebuild_credits` rewrites everything (installation, repair); both are
idempotent, and a rewrite equals a rebuild for the documents it touches.

What a row freezes (as of its last write): the Sales Person reached through the deal owner (the owner of the
deal and the user -> Employee -> Sales Person mapping at that time), the credit shares, amounts, company and
posting date. What it follows: the Sales Person tree (rolled up when the report runs), renames of a Sales Person
(the row links to it). Reassigning a deal later does not move revenue already invoiced; rebuilding does.

Row names are deterministic (MD5 of voucher type, voucher, invoice and Sales Person), so rows can be compared
across a rewrite and a rebuild.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sales_funnel.engine.db import Database
from sales_funnel.engine.sales.crediting import CREDIT_ROW_COLUMNS, invoice_credit_rows, payment_credit_rows

LEDGER_DOCTYPE = "Sales Credit Entry"
LEDGER_TABLE = f"`tab{LEDGER_DOCTYPE}`"
INVOICE = "Sales Invoice"
PAYMENT = "Payment Entry"
AMOUNTS = ("invoiced_revenue", "gross_margin", "payments_received")

_COLUMNS = ("name", "creation", "modified", "owner", "modified_by", "docstatus", "idx", *CREDIT_ROW_COLUMNS)


@dataclass(frozen=True)
class CreditWrite:
	invoices: int = 0  # invoices whose rows were rewritten
	payments: int = 0  # payments whose rows were rewritten
	rows: int = 0  # rows written


def _insert_sql(select: str) -> str:
	"""INSERT … SELECT of credit rows; '' (not credited) is stored as an empty Link (NULL)."""
	columns = ", ".join(f"`{c}`" for c in _COLUMNS)
	picked = ", ".join(
		"NULLIF(r.sales_person, '')" if c == "sales_person" else f"r.`{c}`" for c in CREDIT_ROW_COLUMNS
	)
	return f"""INSERT INTO {LEDGER_TABLE} ({columns})
		SELECT MD5(CONCAT_WS('|', r.voucher_type, r.voucher_no, r.invoice, r.sales_person)),
			%(now)s, %(now)s, %(user)s, %(user)s, 0, 0, {picked}
		FROM ({select}) r"""


def _names(names: Iterable[str | None]) -> list[str]:
	return sorted({name for name in names if name})


def _column(db: Database, query: str, values: dict[str, Any]) -> list[str]:
	return [row[0] for row in db.sql(query, values)]


def _rows_written(db: Database) -> int:
	return int(db.sql("SELECT ROW_COUNT()")[0][0])


def write_credits(
	db: Database,
	*,
	invoices: Sequence[str] = (),
	payments: Sequence[str] = (),
	now: datetime,
	user: str = "Administrator",
) -> CreditWrite:
	"""Rewrite the ledger rows of these invoices and payments, of the credit notes returning these invoices, and
	of every payment allocated to any of those invoices (submitted or not: a cancelled document keeps no row)."""
	invoice_names = _names(invoices)
	if invoice_names:
		invoice_names = _names(
			[
				*invoice_names,
				*_column(
					db,
					"SELECT name FROM `tabSales Invoice` WHERE return_against IN %(invoices)s",
					{"invoices": tuple(invoice_names)},
				),
			]
		)
	payment_names = _names(payments)
	if invoice_names:
		values = {"invoices": tuple(invoice_names)}
		payment_names = _names(
			[
				*payment_names,
				*_column(
					db,
					"""SELECT DISTINCT parent FROM `tabPayment Entry Reference`
					WHERE reference_doctype = 'Sales Invoice' AND reference_name IN %(invoices)s
						AND parenttype = 'Payment Entry'""",
					values,
				),
				# rows of payments no longer referencing these invoices (ERPNext unlinked them) go too
				*_column(
					db,
					f"""SELECT DISTINCT voucher_no FROM {LEDGER_TABLE}
					WHERE invoice IN %(invoices)s AND voucher_type = 'Payment Entry'""",
					values,
				),
			]
		)
	written = 0
	stamp = {"now": now, "user": user}
	for voucher_type, names, rows in (
		(INVOICE, invoice_names, invoice_credit_rows),
		(PAYMENT, payment_names, payment_credit_rows),
	):
		if not names:
			continue
		values = {**stamp, "voucher_type": voucher_type, "names": tuple(names)}
		db.sql(
			f"DELETE FROM {LEDGER_TABLE} WHERE voucher_type = %(voucher_type)s AND voucher_no IN %(names)s",
			values,
		)
		db.sql(_insert_sql(rows("{t}.name IN %(names)s")), values)
		written += _rows_written(db)
	return CreditWrite(len(invoice_names), len(payment_names), written)


def rebuild_credits(
	db: Database,
	*,
	now: datetime,
	user: str = "Administrator",
	company: str | None = None,
	after_chunk: Callable[[str, int], None] | None = None,
	progress: Callable[[int, int], None] | None = None,
) -> int:
	"""Write the ledger (of `company`, or all) again from the documents, one company and calendar year of postings
	at a time: each chunk's rows are deleted and written in one go, so a document written meanwhile is never
	doubled, and `after_chunk(label, rows)` runs after each (a bench commits there), then `progress(done, chunks)`
	(company-years written, of all). Returns the rows written."""
	company_condition = "company = %(company)s" if company else "TRUE"
	chunks = db.sql(
		f"""SELECT company, YEAR(posting_date) FROM `tabSales Invoice` WHERE docstatus = 1 AND {company_condition}
		UNION SELECT company, YEAR(posting_date) FROM `tabPayment Entry`
			WHERE docstatus = 1 AND payment_type = 'Receive' AND {company_condition}
		UNION SELECT company, YEAR(posting_date) FROM {LEDGER_TABLE} WHERE {company_condition}
		ORDER BY 1, 2""",
		{"company": company},
	)
	scope = "{t}.company = %(company)s AND {t}.posting_date BETWEEN %(from_date)s AND %(to_date)s"
	written = 0
	for done, (chunk_company, year) in enumerate(chunks, start=1):
		values = {
			"now": now,
			"user": user,
			"company": chunk_company,
			"from_date": date(int(year), 1, 1),
			"to_date": date(int(year), 12, 31),
		}
		db.sql(
			f"""DELETE FROM {LEDGER_TABLE} WHERE company = %(company)s
			AND posting_date BETWEEN %(from_date)s AND %(to_date)s""",
			values,
		)
		rows = 0
		for select in (invoice_credit_rows(scope), payment_credit_rows(scope)):
			db.sql(_insert_sql(select), values)
			rows += _rows_written(db)
		written += rows
		if after_chunk:
			after_chunk(f"{chunk_company} {year}", rows)
		if progress:
			progress(done, len(chunks))
	return written


def ledger_rows(db: Database, *, company: str | None = None) -> list[dict[str, Any]]:
	"""The ledger's rows (names and credit columns) in a stable order, for comparison."""
	return list(
		db.sql(
			f"""SELECT name, {", ".join(f"`{c}`" for c in CREDIT_ROW_COLUMNS)} FROM {LEDGER_TABLE}
			WHERE %(company)s IS NULL OR company = %(company)s ORDER BY name""",
			{"company": company},
			as_dict=True,
		)
	)


def credited_facts(db: Database, company: str, start: date, end: date) -> list[dict[str, Any]]:
	"""Revenue, margin and payments per credited Sales Person ('' = not credited) posted in [start, end]:
	a range of the covering index `sf_credit_facts`, never the rows."""
	return list(
		db.sql(
			f"""SELECT IFNULL(sales_person, '') AS sales_person, SUM(invoiced_revenue) AS invoiced_revenue,
				SUM(gross_margin) AS gross_margin, SUM(payments_received) AS payments_received
			FROM {LEDGER_TABLE}
			WHERE company = %(company)s AND posting_date BETWEEN %(from_date)s AND %(to_date)s
			GROUP BY sales_person""",
			{"company": company, "from_date": start, "to_date": end},
			as_dict=True,
		)
	)

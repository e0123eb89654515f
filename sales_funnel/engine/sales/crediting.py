"""Who is credited with an invoice's revenue and margin and with the payments allocated to it, in SQL.

Crediting:

- an invoice is credited to its Sales Team, each row by `allocated_percentage` (ERPNext requires a Sales Team
  to total 100 %); a credit note without its own Sales Team takes that of the invoice it returns;
- an invoice without a Sales Team goes to the Sales Person of its deal's owner (`sf_opportunity`, for a credit
  note also the returned invoice's deal; the owner is `opportunity_owner`, else the document owner; the user's
  Employee (`user_id`) is the Sales Person's `employee`);
- a payment is credited like the invoice it is allocated to;
- what reaches no Sales Person is credited to '' ("not credited"), and still counts for the company.

Amounts (company currency):

- invoiced revenue: `base_net_total`; credit notes (`is_return` = 1) have negative totals;
- gross margin: as ERPNext's Gross Profit report computes it per item, `base_net_amount` minus the buying amount
  `stock_qty * incoming_rate` (erpnext/accounts/report/gross_profit/gross_profit.py); return items have negative
  amounts and quantities, so a credit note reduces the margin;
- payments received: the `allocated_amount` of submitted Payment Entries (Receive) to submitted Sales Invoices, in
  the company currency through the invoice's `conversion_rate` when the receivable account is in the invoice
  currency (an amount allocated from a company-currency account is taken as it is).

`invoice_credit_rows` and `payment_credit_rows` give one row per document (a payment: per invoice it pays) and
credited Sales Person, for the documents a condition selects. The credit ledger (`credit_ledger`) stores exactly
these rows; Daily Payments' schedules use the same joins directly.
"""

from __future__ import annotations

# user -> Sales Person, through Employee.user_id and Sales Person.employee (the first Sales Person by name when
# a user has several)
USER_PERSON = """(SELECT e.user_id AS user, MIN(sp.name) AS sales_person
	FROM `tabEmployee` e JOIN `tabSales Person` sp ON sp.employee = e.name
	WHERE IFNULL(e.user_id, '') != ''{company_condition}
	GROUP BY e.user_id)"""

# Crediting of rows that carry a submitted Sales Invoice as `si`: the invoice's Sales Team, else that of the
# invoice a credit note returns, else the deal owner's Sales Person. Produces `credited_to` and `credit_share`.
CREDIT_JOINS = f"""
	LEFT JOIN `tabSales Team` st_own
		ON st_own.parent = si.name AND st_own.parenttype = 'Sales Invoice'
	LEFT JOIN `tabSales Team` st_ret
		ON st_own.name IS NULL AND si.is_return = 1 AND st_ret.parent = si.return_against
		AND st_ret.parenttype = 'Sales Invoice'
	LEFT JOIN `tabSales Invoice` si_ret
		ON st_own.name IS NULL AND st_ret.name IS NULL AND si_ret.name = si.return_against
	LEFT JOIN `tabOpportunity` deal
		ON st_own.name IS NULL AND st_ret.name IS NULL
		AND deal.name = COALESCE(NULLIF(si.sf_opportunity, ''), NULLIF(si_ret.sf_opportunity, ''))
	LEFT JOIN {USER_PERSON.format(company_condition="")} deal_owner
		ON deal_owner.user = COALESCE(NULLIF(deal.opportunity_owner, ''), deal.owner)"""
CREDITED_TO = "COALESCE(st_own.sales_person, st_ret.sales_person, deal_owner.sales_person, '')"
CREDIT_SHARE = "COALESCE(st_own.allocated_percentage, st_ret.allocated_percentage, 100) / 100"
# how the credit was found (Sales Credit Entry.credited_via)
CREDITED_VIA = """CASE WHEN st_own.sales_person IS NOT NULL THEN 'Sales Team'
	WHEN st_ret.sales_person IS NOT NULL THEN 'Returned Invoice''s Sales Team'
	WHEN deal_owner.sales_person IS NOT NULL THEN 'Deal Owner' ELSE '' END"""
# an amount allocated in a Payment Entry is in the receivable account's currency
ALLOCATED_IN_BASE = (
	"per.allocated_amount * CASE WHEN IFNULL(NULLIF(si.party_account_currency, ''), si.currency) = si.currency "
	"THEN si.conversion_rate ELSE 1 END"
)

# the columns of a credit row, in this order (Sales Credit Entry fields)
CREDIT_ROW_COLUMNS = (
	"voucher_type",
	"voucher_no",
	"invoice",
	"company",
	"posting_date",
	"sales_person",
	"credited_via",
	"credit_share",
	"invoiced_revenue",
	"gross_margin",
	"payments_received",
)


def invoice_credit_rows(condition: str) -> str:
	"""SELECT of one row per submitted, non-opening Sales Invoice and credited Sales Person ('' = none), for the
	invoices `condition` selects. `condition` is SQL on the invoice table with `{t}` for its alias (it is applied
	to the invoices and to the invoices whose items make the margin), with %(name)s parameters."""
	return f"""SELECT 'Sales Invoice' AS voucher_type, si.name AS voucher_no, si.name AS invoice, si.company,
			si.posting_date, {CREDITED_TO} AS sales_person, MIN({CREDITED_VIA}) AS credited_via,
			SUM({CREDIT_SHARE}) * 100 AS credit_share,
			SUM(si.base_net_total * {CREDIT_SHARE}) AS invoiced_revenue,
			SUM(IFNULL(margin.amount, 0) * {CREDIT_SHARE}) AS gross_margin,
			0 AS payments_received
		FROM `tabSales Invoice` si
		LEFT JOIN (
			SELECT sii.parent, SUM(sii.base_net_amount - sii.incoming_rate * sii.stock_qty) AS amount
			FROM `tabSales Invoice` inv
			JOIN `tabSales Invoice Item` sii ON sii.parent = inv.name AND sii.parenttype = 'Sales Invoice'
			WHERE inv.docstatus = 1 AND {condition.format(t="inv")}
			GROUP BY sii.parent
		) margin ON margin.parent = si.name
		{CREDIT_JOINS}
		WHERE si.docstatus = 1 AND IFNULL(si.is_opening, 'No') != 'Yes' AND {condition.format(t="si")}
		GROUP BY si.name, 6"""


def payment_credit_rows(condition: str) -> str:
	"""SELECT of one row per submitted Payment Entry (Receive), Sales Invoice it is allocated to, and credited
	Sales Person, for the payments `condition` selects (SQL on the Payment Entry table with `{t}` for its alias)."""
	return f"""SELECT 'Payment Entry' AS voucher_type, pe.name AS voucher_no, si.name AS invoice, pe.company,
			pe.posting_date, {CREDITED_TO} AS sales_person, MIN({CREDITED_VIA}) AS credited_via,
			MAX({CREDIT_SHARE}) * 100 AS credit_share,
			0 AS invoiced_revenue, 0 AS gross_margin,
			SUM({ALLOCATED_IN_BASE} * {CREDIT_SHARE}) AS payments_received
		FROM `tabPayment Entry` pe
		JOIN `tabPayment Entry Reference` per ON per.parent = pe.name AND per.parenttype = 'Payment Entry'
			AND per.reference_doctype = 'Sales Invoice' AND per.allocated_amount != 0
		JOIN `tabSales Invoice` si ON si.name = per.reference_name AND si.docstatus = 1
		{CREDIT_JOINS}
		WHERE pe.docstatus = 1 AND pe.payment_type = 'Receive' AND {condition.format(t="pe")}
		GROUP BY pe.name, si.name, 6"""

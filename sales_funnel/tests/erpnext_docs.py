# Copyright (c) 2026, Sales Funnel contributors
# For license information, please see license.txt
"""ERPNext documents for the bench tests, made the way a user makes them: through Frappe's document API and
ERPNext's own mappers (Opportunity -> Quotation -> Sales Order -> Sales Invoice -> Payment Entry), so every
controller and every doc event runs. Used by the bench tests beside the doctypes and reports, and by the
install / migrate / uninstall check (tests/bench/lifecycle.py), which seeds a site before the app is installed.

Nothing here needs the app's doctypes. Names are made unique with a hash, so tests never collide.
"""

from __future__ import annotations

from typing import Any

import frappe
from frappe.model.document import Document
from frappe.utils import add_days, flt, nowdate

TEST_ITEM_GROUP = "_Test SF Item Group"
UOM = "Nos"


def unique(prefix: str) -> str:
	return f"{prefix} {frappe.generate_hash(length=8)}"


def company() -> str:
	"""A company with accounts: ERPNext's own test setup (the setup wizard's `Wind Power LLC`) when the site has
	none, else the first one."""
	if not frappe.db.a_row_exists("Company"):
		from erpnext.setup.utils import before_tests

		before_tests()
	return (
		frappe.db.get_single_value("Global Defaults", "default_company")
		or frappe.get_all("Company", pluck="name", order_by="creation asc", limit=1)[0]
	)


def currency(company_name: str) -> str:
	return frappe.get_cached_value("Company", company_name, "default_currency")


def company_in(currency_code: str, country: str, name: str | None = None, abbr: str | None = None) -> str:
	"""A company whose default currency is `currency_code`, with ERPNext's standard chart of accounts (created
	once by name), for figures that must show in a currency other than the site's. ERPNext wants each company's
	abbreviation unique: a second company in the same currency names its own."""
	name = name or f"_Test SF {currency_code} Company"
	if not frappe.db.exists("Company", name):
		frappe.get_doc(
			{
				"doctype": "Company",
				"company_name": name,
				"abbr": abbr or f"SF{currency_code}",
				"default_currency": currency_code,
				"country": country,
				"chart_of_accounts": "Standard",
			}
		).insert(ignore_permissions=True)
	return name


def fiscal_year(day: str) -> str:
	"""The Fiscal Year that holds `day` (a calendar year, made when missing: a test posting in the past must not
	depend on the date it runs)."""
	from frappe.utils import getdate

	year = getdate(day).year
	existing = frappe.db.get_value(
		"Fiscal Year", {"year_start_date": ("<=", day), "year_end_date": (">=", day), "disabled": 0}, "name"
	)
	if existing:
		return existing
	return (
		frappe.get_doc(
			{
				"doctype": "Fiscal Year",
				"year": str(year) if not frappe.db.exists("Fiscal Year", str(year)) else unique(str(year)),
				"year_start_date": f"{year}-01-01",
				"year_end_date": f"{year}-12-31",
			}
		)
		.insert(ignore_permissions=True)
		.name
	)


def price_list(currency_code: str) -> str:
	"""A selling Price List in `currency_code` (so a company in that currency needs no exchange rate)."""
	return named(
		"Price List",
		"price_list_name",
		f"_Test SF Selling {currency_code}",
		currency=currency_code,
		selling=1,
		enabled=1,
	)


def named(doctype: str, field: str, value: str, **values: Any) -> str:
	"""The record of `doctype` whose `field` is `value`, created when missing."""
	name = frappe.db.get_value(doctype, {field: value}, "name")
	if name:
		return name
	return frappe.get_doc({"doctype": doctype, field: value, **values}).insert(ignore_permissions=True).name


def sales_stage(name: str) -> str:
	return named("Sales Stage", "stage_name", name)


def item_group(name: str = TEST_ITEM_GROUP) -> str:
	if not frappe.db.exists("Item Group", name):
		frappe.get_doc(
			{"doctype": "Item Group", "item_group_name": name, "parent_item_group": root_of("Item Group")}
		).insert(ignore_permissions=True)
	return name


def root_of(doctype: str) -> str:
	parent = {"Item Group": "parent_item_group", "Customer Group": "parent_customer_group"}.get(
		doctype, f"parent_{frappe.scrub(doctype)}"
	)
	return frappe.db.get_value(doctype, {"is_group": 1, parent: ("in", ("", None))}, "name")


def item(group: str | None = None, rate: float = 100.0) -> str:
	"""A non-stock sales item (no warehouse, no stock ledger)."""
	code = unique("_Test SF Item")
	frappe.get_doc(
		{
			"doctype": "Item",
			"item_code": code,
			"item_name": code,
			"item_group": group or item_group(),
			"stock_uom": UOM,
			"is_stock_item": 0,
			"include_item_in_manufacturing": 0,
			"standard_rate": rate,
		}
	).insert(ignore_permissions=True)
	return code


def customer(name: str | None = None, group: str | None = None, **values: Any) -> str:
	name = name or unique("_Test SF Customer")
	if frappe.db.exists("Customer", name):
		return name
	return (
		frappe.get_doc(
			{
				"doctype": "Customer",
				"customer_name": name,
				"customer_group": group
				or frappe.db.get_single_value("Selling Settings", "customer_group")
				or root_of("Customer Group"),
				"territory": frappe.db.get_single_value("Selling Settings", "territory")
				or root_of("Territory"),
				**values,
			}
		)
		.insert(ignore_permissions=True)
		.name
	)


def lead(company_name: str, **values: Any) -> Document:
	return frappe.get_doc(
		{
			"doctype": "Lead",
			"first_name": "SF Test",
			"last_name": frappe.generate_hash(length=8),
			"company": company_name,
			**values,
		}
	).insert(ignore_permissions=True)


def opportunity(
	company_name: str,
	*,
	party: str | None = None,
	items: list[tuple[str, float, float]] | None = None,
	**values: Any,
) -> Document:
	"""An Opportunity from a Customer (`party`) or from a new Lead; `items` are (item_code, qty, rate)."""
	if party:
		origin = {"opportunity_from": "Customer", "party_name": party}
	else:
		origin = {"opportunity_from": "Lead", "party_name": lead(company_name).name}
	doc = frappe.get_doc(
		{
			"doctype": "Opportunity",
			**origin,
			"company": company_name,
			"currency": currency(company_name),
			"conversion_rate": 1,
			"items": [
				{"item_code": code, "qty": qty, "rate": rate, "uom": UOM} for code, qty, rate in items or []
			],
			**values,
		}
	)
	return doc.insert(ignore_permissions=True)


def quotation(opportunity_name: str, *, submit: bool = True, party: str | None = None) -> Document:
	"""ERPNext's Opportunity -> Quotation mapper; a Lead's quotation stays with the Lead (no Customer needed)."""
	from erpnext.crm.doctype.opportunity.opportunity import make_quotation

	doc = make_quotation(opportunity_name)
	if party:
		doc.quotation_to, doc.party_name = "Customer", party
	doc.transaction_date = nowdate()
	doc.valid_till = add_days(nowdate(), 30)
	for row in doc.items:
		row.rate = row.rate or 100
	doc.insert(ignore_permissions=True)
	if submit:
		doc.submit()
	return doc


def sales_order(quotation_name: str, *, submit: bool = True) -> Document:
	from erpnext.selling.doctype.quotation.quotation import make_sales_order

	doc = make_sales_order(quotation_name)
	doc.delivery_date = add_days(nowdate(), 7)
	for row in doc.items:
		row.delivery_date = doc.delivery_date
	doc.insert(ignore_permissions=True)
	if submit:
		doc.submit()
	return doc


def sales_invoice(
	sales_order_name: str, *, submit: bool = True, qty: float | None = None, **values: Any
) -> Document:
	"""ERPNext's Sales Order -> Sales Invoice mapper, for the whole order or `qty` of each line. A `posting_date`
	is kept (set_posting_time) in a fiscal year made when missing; a `due_date` with `payment_schedule=[]` makes
	ERPNext compute the schedule again for that date."""
	from erpnext.selling.doctype.sales_order.sales_order import make_sales_invoice

	doc = make_sales_invoice(sales_order_name)
	if qty is not None:
		for row in doc.items:
			row.qty = qty
	doc.update(values)
	if values.get("posting_date"):
		doc.set_posting_time = 1
		fiscal_year(values["posting_date"])
	doc.insert(ignore_permissions=True)
	if submit:
		doc.submit()
	return doc


def payment(invoice_name: str, amount: float | None = None, *, submit: bool = True) -> Document:
	"""ERPNext's Get Payment Entry for the invoice, for its outstanding amount or `amount`."""
	from erpnext.accounts.doctype.payment_entry.payment_entry import get_payment_entry

	doc = get_payment_entry("Sales Invoice", invoice_name)
	if amount is not None:
		doc.paid_amount = doc.received_amount = flt(amount)
		doc.references[0].allocated_amount = flt(amount)
	doc.reference_no = unique("SF")
	doc.reference_date = nowdate()
	doc.insert(ignore_permissions=True)
	if submit:
		doc.submit()
	return doc


def deal_chain(
	company_name: str, *, paid: bool = True, rate: float = 1000.0, **opportunity_values: Any
) -> dict:
	"""A whole won deal: Customer, Opportunity, submitted Quotation, Sales Order, Sales Invoice and (when `paid`)
	its Payment Entry. Returns the documents by doctype."""
	party = customer()
	code = item(rate=rate)
	deal = opportunity(company_name, party=party, items=[(code, 1, rate)], **opportunity_values)
	docs: dict[str, Document] = {"Customer": party, "Opportunity": deal}
	docs["Quotation"] = quotation(deal.name)
	docs["Sales Order"] = sales_order(docs["Quotation"].name)
	docs["Sales Invoice"] = sales_invoice(docs["Sales Order"].name)
	if paid:
		docs["Payment Entry"] = payment(docs["Sales Invoice"].name)
	return docs


def direct_invoice(
	company_name: str,
	*,
	rate: float = 100.0,
	qty: float = 1,
	party: str | None = None,
	code: str | None = None,
	sales_team: list[tuple[str, float]] = (),
	submit: bool = True,
	**values: Any,
) -> Document:
	"""A Sales Invoice made directly (no order, so no deal), in the company currency with a Price List in it;
	`sales_team` rows are (Sales Person, allocated %)."""
	company_currency = currency(company_name)
	doc = frappe.get_doc(
		{
			"doctype": "Sales Invoice",
			"company": company_name,
			"customer": party or customer(),
			"currency": company_currency,
			"conversion_rate": 1,
			"selling_price_list": price_list(company_currency),
			"plc_conversion_rate": 1,
			"items": [{"item_code": code or item(rate=rate), "qty": qty, "rate": rate, "uom": UOM}],
			"sales_team": [
				{"sales_person": person, "allocated_percentage": share} for person, share in sales_team
			],
			**values,
		}
	)
	if values.get("posting_date"):
		doc.set_posting_time = 1
		fiscal_year(values["posting_date"])
	doc.insert(ignore_permissions=True)
	if submit:
		doc.submit()
	return doc


def employee(user_email: str, company_name: str, **values: Any) -> str:
	"""An active Employee of the company for the user (ERPNext then gives the user the Employee role and
	User Permissions on the Employee and the Company, as it does for every employee with a user)."""
	return (
		frappe.get_doc(
			{
				"doctype": "Employee",
				"first_name": user_email.split("@")[0],
				"gender": named("Gender", "gender", "Female"),
				"date_of_birth": "1990-01-01",
				"date_of_joining": "2020-01-01",
				"status": "Active",
				"company": company_name,
				"user_id": user_email,
				**values,
			}
		)
		.insert(ignore_permissions=True)
		.name
	)


def sales_person(
	name: str | None = None, *, employee_name: str | None = None, parent: str | None = None, is_group: int = 0
) -> str:
	"""A Sales Person under `parent` (the tree's root unless given), linked to an Employee when given."""
	name = name or unique("_Test SF Sales Person")
	return (
		frappe.get_doc(
			{
				"doctype": "Sales Person",
				"sales_person_name": name,
				"parent_sales_person": parent or root_of("Sales Person"),
				"is_group": is_group,
				"employee": employee_name,
				"enabled": 1,
			}
		)
		.insert(ignore_permissions=True)
		.name
	)


def user_permission(user_email: str, doctype: str, value: str, applicable_for: str | None = None) -> str:
	"""A User Permission restricting the user to `value` of `doctype` (for all doctypes unless `applicable_for`)."""
	return (
		frappe.get_doc(
			{
				"doctype": "User Permission",
				"user": user_email,
				"allow": doctype,
				"for_value": value,
				"apply_to_all_doctypes": 0 if applicable_for else 1,
				"applicable_for": applicable_for,
			}
		)
		.insert(ignore_permissions=True)
		.name
	)


def user(email: str, *roles: str, **values: Any) -> str:
	"""A System User with exactly these roles (created once; roles set again on every call)."""
	if not frappe.db.exists("User", email):
		frappe.get_doc(
			{
				"doctype": "User",
				"email": email,
				"first_name": email.split("@")[0],
				"send_welcome_email": 0,
				"user_type": "System User",
				**values,
			}
		).insert(ignore_permissions=True)
	doc = frappe.get_doc("User", email)
	doc.set("roles", [])
	doc.add_roles(*roles)
	return email


def call_log(
	employee_user: str | None = None, *, links: list[tuple[str, str]] = (), **values: Any
) -> Document:
	"""A completed Call Log, as telephony integrations insert it."""
	from frappe.utils import add_to_date, now_datetime

	end = now_datetime()
	return frappe.get_doc(
		{
			"doctype": "Call Log",
			"id": unique("SF-CALL").replace(" ", "-"),
			"type": "Incoming",
			"status": "Completed",
			"from": "+1555" + frappe.generate_hash(length=6),
			"to": "+15550000000",
			"start_time": add_to_date(end, minutes=-5),
			"end_time": end,
			"duration": 300,
			"employee_user_id": employee_user,
			"links": [{"link_doctype": dt, "link_name": dn} for dt, dn in links],
			**values,
		}
	).insert(ignore_permissions=True)


def sales_person_of_user(user_email: str, company_name: str) -> str:
	"""The Sales Person of a user, as ERPNext links them: an Employee whose `user_id` is the user, and a Sales
	Person whose `employee` is that Employee (both created once)."""
	employee = frappe.db.get_value("Employee", {"user_id": user_email}, "name")
	if not employee:
		employee = (
			frappe.get_doc(
				{
					"doctype": "Employee",
					"first_name": user_email.split("@")[0],
					"company": company_name,
					"status": "Active",
					"gender": named("Gender", "gender", "Other"),
					"date_of_birth": "1990-01-01",
					"date_of_joining": "2020-01-01",
					"user_id": user_email,
				}
			)
			.insert(ignore_permissions=True)
			.name
		)
	person = frappe.db.get_value("Sales Person", {"employee": employee}, "name")
	if person:
		return person
	return (
		frappe.get_doc(
			{
				"doctype": "Sales Person",
				"sales_person_name": unique("_Test SF Sales Person"),
				"parent_sales_person": root_of("Sales Person"),
				"is_group": 0,
				"employee": employee,
			}
		)
		.insert(ignore_permissions=True)
		.name
	)


def unallocated_payment(company_name: str, party: str, amount: float, *, submit: bool = True) -> Document:
	"""A customer's payment received without any invoice to allocate it to (an advance, to be reconciled)."""
	from erpnext.accounts.party import get_party_account

	doc = frappe.new_doc("Payment Entry")
	doc.update(
		{
			"payment_type": "Receive",
			"company": company_name,
			"posting_date": nowdate(),
			"party_type": "Customer",
			"party": party,
			"paid_from": get_party_account("Customer", party, company_name),
			"paid_to": frappe.get_cached_value("Company", company_name, "default_cash_account")
			or frappe.get_cached_value("Company", company_name, "default_bank_account"),
			"paid_amount": flt(amount),
			"received_amount": flt(amount),
			"reference_no": unique("SF"),
			"reference_date": nowdate(),
		}
	)
	doc.setup_party_account_field()
	doc.set_missing_values()
	doc.set_exchange_rate()
	doc.insert(ignore_permissions=True)
	if submit:
		doc.submit()
	return doc


def reconcile(company_name: str, party: str, payment_name: str, invoice_name: str) -> Document:
	"""ERPNext's Payment Reconciliation tool: allocate the unallocated `payment_name` to `invoice_name`."""
	from erpnext.accounts.party import get_party_account

	tool = frappe.new_doc("Payment Reconciliation")
	tool.company = company_name
	tool.party_type = "Customer"
	tool.party = party
	tool.receivable_payable_account = get_party_account("Customer", party, company_name)
	tool.get_unreconciled_entries()
	invoices = [row.as_dict() for row in tool.get("invoices") if row.invoice_number == invoice_name]
	payments = [row.as_dict() for row in tool.get("payments") if row.reference_name == payment_name]
	if not invoices or not payments:
		frappe.throw(f"nothing to reconcile: invoice {invoice_name} or payment {payment_name} not listed")
	tool.allocate_entries(frappe._dict({"invoices": invoices, "payments": payments}))
	tool.reconcile()
	return tool


def outgoing_email_account() -> str | None:
	"""A default outgoing Email Account when the site has none (what `frappe.sendmail` needs to queue a mail; in
	tests Frappe queues it without connecting). Returns the name of the account made, None when one existed."""
	if frappe.db.exists("Email Account", {"enable_outgoing": 1, "default_outgoing": 1}):
		return None
	return (
		frappe.get_doc(
			{
				"doctype": "Email Account",
				"email_account_name": unique("_Test SF Outgoing"),
				"email_id": f"sf-outgoing-{frappe.generate_hash(length=8)}@example.com",
				"enable_outgoing": 1,
				"default_outgoing": 1,
				"smtp_server": "smtp.example.com",
				"no_smtp_authentication": 1,
			}
		)
		.insert(ignore_permissions=True)
		.name
	)

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


def customer(name: str | None = None, group: str | None = None) -> str:
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


def sales_invoice(sales_order_name: str, *, submit: bool = True, **values: Any) -> Document:
	from erpnext.selling.doctype.sales_order.sales_order import make_sales_invoice

	doc = make_sales_invoice(sales_order_name)
	doc.update(values)
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

"""Bench side, before the load: the demo company's master data made through Frappe's document API.

	python bench_prepare.py SITE REFERENCE.json CONTEXT.json      (the bench's Python, from its `sites` folder)

REFERENCE.json holds the generator's reference rows (`SiteFrames.api_reference`) and its dates; this script makes
what ERPNext makes for a new company (the setup wizard: chart of accounts, warehouses, price list, fiscal year),
the second company, fiscal years over the data's two years, a receivable account per foreign currency and a VAT
account, the territory / customer group / item group trees, items, sales stages, users (the demo users with their
roles, languages and password), employees, the Sales Person tree, the funnels and the call outcomes. Every record
is made only when missing, so a second run changes nothing. CONTEXT.json gets the account names the loaded
documents point at (`frames.SiteContext`).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[3]))  # the app's checkout, for devkit.demo.site.users

import frappe
from frappe.utils.password import update_password

from devkit.demo.site.users import DEMO_USERS, EXTRA_ROLES, PASSWORD

MAIN_COMPANY = {"name": "Demo Trading", "abbr": "DT", "currency": "PLN", "country": "Poland"}
TIME_ZONE = "Europe/Warsaw"
TREES = (
	("Territory", "parent_territory", "territory_name"),
	("Customer Group", "parent_customer_group", "customer_group_name"),
	("Item Group", "parent_item_group", "item_group_name"),
)
NAMED = (
	("Lead Source", "source_name"),
	("Sales Stage", "stage_name"),
	("Opportunity Lost Reason", "lost_reason"),
)


def insert(doc: dict[str, Any], name: str | None = None) -> str:
	return frappe.get_doc(doc).insert(ignore_permissions=True, set_name=name).name


def setup_wizard(year: int) -> None:
	"""ERPNext's setup wizard for the main company (what a new site's first login asks for)."""
	if frappe.is_setup_complete():
		return
	from frappe.desk.page.setup_wizard.setup_wizard import setup_complete

	setup_complete(
		{
			"currency": MAIN_COMPANY["currency"],
			"company_name": MAIN_COMPANY["name"],
			"company_abbr": MAIN_COMPANY["abbr"],
			"country": MAIN_COMPANY["country"],
			"timezone": TIME_ZONE,
			"language": "english",
			"chart_of_accounts": "Standard",
			"fy_start_date": f"{year}-01-01",
			"fy_end_date": f"{year}-12-31",
			"bank_account": "Bank",
			"company_tagline": "Sales Funnel demo",
		}
	)
	frappe.db.commit()


def companies(rows: list[dict[str, Any]]) -> None:
	for row in rows:
		if frappe.db.exists("Company", row["name"]):
			continue
		insert(
			{
				"doctype": "Company",
				"company_name": row["name"],
				"abbr": row["abbr"],
				"default_currency": row["default_currency"],
				"country": row["country"],
				"chart_of_accounts": "Standard",
				"create_chart_of_accounts_based_on": "Standard Template",
			}
		)


def fiscal_years(first: int, last: int) -> None:
	for year in range(first, last + 1):
		start, end = f"{year}-01-01", f"{year}-12-31"
		if frappe.db.exists("Fiscal Year", {"year_start_date": start}):
			continue
		insert({"doctype": "Fiscal Year", "year": str(year), "year_start_date": start, "year_end_date": end})


def account(company: str, parent_name: str, name: str, **values: Any) -> str:
	"""A ledger account `name - ABBR` under the company's group account `parent_name - ABBR`."""
	abbr = frappe.get_cached_value("Company", company, "abbr")
	full = f"{name} - {abbr}"
	if not frappe.db.exists("Account", full):
		insert(
			{
				"doctype": "Account",
				"account_name": name,
				"parent_account": f"{parent_name} - {abbr}",
				"company": company,
				"is_group": 0,
				**values,
			}
		)
	return full


def price_list(currency: str) -> str:
	name = "Standard Selling" if currency == MAIN_COMPANY["currency"] else f"Standard Selling {currency}"
	if not frappe.db.exists("Price List", name):
		insert(
			{
				"doctype": "Price List",
				"price_list_name": name,
				"currency": currency,
				"selling": 1,
				"enabled": 1,
			}
		)
	return name


def company_context(company: dict[str, Any], currencies: set[str], vat: float) -> dict[str, Any]:
	"""The accounts a loaded document of `company` points at, made when missing."""
	name = company["name"]
	doc = frappe.get_doc("Company", name)
	receivable = {doc.default_currency: doc.default_receivable_account}
	for currency in sorted(currencies - {doc.default_currency}):
		receivable[currency] = account(
			name,
			"Accounts Receivable",
			f"Debtors {currency}",
			account_type="Receivable",
			account_currency=currency,
		)
	bank = account(name, "Bank Accounts", "Bank", account_type="Bank", account_currency=doc.default_currency)
	vat_account = account(name, "Duties and Taxes", "VAT", account_type="Tax", tax_rate=vat * 100)
	return {
		"abbr": doc.abbr,
		"currency": doc.default_currency,
		"receivable": receivable,
		"bank": bank,
		"income": doc.default_income_account,
		"cost_center": doc.cost_center,
		"warehouse": frappe.db.get_value("Warehouse", {"company": name, "warehouse_name": "Stores"}, "name"),
		"vat": vat_account,
		"vat_rate": round(vat * 100, 2),
	}


def trees(reference: dict[str, list[dict[str, Any]]]) -> None:
	"""Territories, customer groups and item groups, parents first (the rows come in nested-set order)."""
	for doctype, parent_field, name_field in TREES:
		for row in reference[doctype]:
			if frappe.db.exists(doctype, row["name"]):
				continue
			insert(
				{
					"doctype": doctype,
					name_field: row["name"],
					parent_field: row[parent_field] or None,
					"is_group": row["is_group"],
				}
			)


def masters(reference: dict[str, list[dict[str, Any]]]) -> None:
	for doctype, field in NAMED:
		for row in reference[doctype]:
			if not frappe.db.exists(doctype, row["name"]):
				insert({"doctype": doctype, field: row[field]})
	for row in reference["Opportunity Type"]:
		if not frappe.db.exists("Opportunity Type", row["name"]):
			insert({"doctype": "Opportunity Type", "description": row["description"]}, name=row["name"])
	for row in reference["Item"]:
		if frappe.db.exists("Item", row["name"]):
			continue
		insert(
			{
				"doctype": "Item",
				**{k: row[k] for k in ("item_code", "item_name", "item_group", "stock_uom", "is_stock_item")},
				"standard_rate": row["standard_rate"],
				"valuation_rate": row["valuation_rate"],
				"include_item_in_manufacturing": 0,
			}
		)


def users(reference: dict[str, list[dict[str, Any]]]) -> None:
	"""The generator's users (the demo users among them, with their roles, language and password)."""
	roles: dict[str, list[str]] = {}
	for row in reference["Has Role"]:
		roles.setdefault(row["parent"], []).append(row["role"])
	demo = {u.user: u for u in DEMO_USERS}
	frappe.flags.in_import = True  # Frappe refuses more than 60 new users an hour otherwise
	for row in reference["User"]:
		name = row["name"]
		if name == "Administrator":
			continue
		wanted = demo.get(name)
		user_roles = [wanted.role, *EXTRA_ROLES.get(name, ())] if wanted else roles.get(name, [])
		if not frappe.db.exists("User", name):
			doc = frappe.get_doc(
				{
					"doctype": "User",
					"email": name,
					"first_name": wanted.first_name if wanted else row["full_name"].partition(" ")[0],
					"last_name": wanted.last_name if wanted else row["full_name"].partition(" ")[2],
					"language": wanted.language if wanted else "en",
					"time_zone": TIME_ZONE,
					"user_type": "System User",
					"enabled": 1,
					"send_welcome_email": 0,
					"roles": [{"role": role} for role in user_roles],
				}
			)
			doc.flags.no_welcome_mail = True
			doc.insert(ignore_permissions=True)
		if wanted:
			update_password(name, PASSWORD)
	frappe.flags.in_import = False


def departments(reference: dict[str, list[dict[str, Any]]]) -> dict[str, str]:
	"""ERPNext names a company's Department `<name> - <abbr>`: the generator's name -> the site's."""
	root = frappe.db.get_value("Department", {"is_group": 1, "parent_department": ("in", ("", None))}, "name")
	out = {}
	for row in reference["Department"]:
		if not row["parent_department"]:
			continue
		abbr = frappe.get_cached_value("Company", row["company"], "abbr")
		name = f"{row['name']} - {abbr}"
		if not frappe.db.exists("Department", name):
			name = insert(
				{
					"doctype": "Department",
					"department_name": row["name"],
					"parent_department": root,
					"company": row["company"],
				}
			)
		out[row["name"]] = name
	return out


def employees(reference: dict[str, list[dict[str, Any]]], department_of: dict[str, str]) -> None:
	if not frappe.db.exists("Designation", "Sales Manager"):
		insert({"doctype": "Designation", "designation_name": "Sales Manager"})
	gender = frappe.db.get_value("Gender", {}, "name") or insert({"doctype": "Gender", "gender": "Other"})
	names = {u.user: u for u in DEMO_USERS}
	for row in reference["Employee"]:
		if frappe.db.exists("Employee", row["name"]):
			continue
		demo = names.get(row["user_id"])
		first, _, last = (demo.full_name if demo else row["employee_name"]).partition(" ")
		insert(
			{
				"doctype": "Employee",
				"first_name": first,
				"last_name": last,
				"gender": gender,
				"date_of_birth": "1990-01-01",
				"date_of_joining": "2022-01-10",
				"status": "Active",
				"company": row["company"],
				"department": department_of.get(row["department"]),
				"designation": row["designation"],
				"user_id": row["user_id"],
			},
			name=row["name"],
		)


def sales_persons(reference: dict[str, list[dict[str, Any]]], department_of: dict[str, str]) -> None:
	for row in reference["Sales Person"]:
		if frappe.db.exists("Sales Person", row["name"]):
			continue
		insert(
			{
				"doctype": "Sales Person",
				"sales_person_name": row["name"],
				"parent_sales_person": row["parent_sales_person"] or None,
				"is_group": row["is_group"],
				"enabled": 1,
				"employee": row.get("employee"),
				"department": department_of.get(row.get("department") or ""),
			}
		)


def funnels(reference: dict[str, list[dict[str, Any]]]) -> None:
	stages: dict[str, list[dict[str, Any]]] = {}
	keep = ("stage", "kind", "probability", "target_conversion", "time_limit_days", "trigger")
	for row in reference["Sales Funnel Stage"]:
		stages.setdefault(row["parent"], []).append({k: row[k] for k in keep})
	for row in reference["Sales Funnel"]:
		if frappe.db.exists("Sales Funnel", row["name"]):
			continue
		fields = ("title", "company", "deal_doctype", "enabled", "is_default", "priority", "description")
		insert(
			{
				"doctype": "Sales Funnel",
				**{k: row[k] for k in fields},
				"customer_kind": row.get("customer_kind"),
				"source": row.get("source"),
				"stages": stages[row["name"]],
			}
		)
	for row in reference["Call Outcome"]:
		if not frappe.db.exists("Call Outcome", row["name"]):
			fields = ("title", "category", "counts_as_negotiation", "effect", "enabled")
			follow_up = {"follow_up_hours": 24} if row["effect"] == "Create Follow-up ToDo" else {}
			insert({"doctype": "Call Outcome", **{k: row[k] for k in fields}, **follow_up})


def prepare(reference: dict[str, Any]) -> dict[str, Any]:
	rows = reference["rows"]
	setup_wizard(reference["now_year"])
	companies(rows["Company"])
	fiscal_years(reference["start_year"], reference["now_year"] + 1)
	for currency in reference["currencies"]:
		frappe.db.set_value("Currency", currency, "enabled", 1)
	frappe.db.set_single_value("System Settings", "time_zone", TIME_ZONE)
	context: dict[str, Any] = {
		"companies": {
			row["name"]: company_context(
				row, set(reference["currencies_of"][row["name"]]), reference["vat"][row["name"]]
			)
			for row in rows["Company"]
		},
		"price_lists": {c: price_list(c) for c in reference["currencies"]},
	}
	trees(rows)
	masters(rows)
	users(rows)
	context["departments"] = departments(rows)
	employees(rows, context["departments"])
	sales_persons(rows, context["departments"])
	funnels(rows)
	frappe.db.commit()
	return context


def main() -> None:
	site, reference_path, context_path = sys.argv[1:4]
	frappe.init(site=site, sites_path=".")
	frappe.connect()
	frappe.set_user("Administrator")
	try:
		context = prepare(json.loads(Path(reference_path).read_text()))
		Path(context_path).write_text(json.dumps(context, indent=1))
	finally:
		frappe.destroy()


if __name__ == "__main__":
	main()

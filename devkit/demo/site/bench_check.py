"""Bench side: the loaded documents open in ERPNext's own forms and lists (exits 1 on the first failing doctype).

	python bench_check.py SITE      (the bench's Python, from its `sites` folder)

For a sample of every doctype (the first, last and some middle names, and the ones made through the document
API), as a user who works with it: what the form loads (`frappe.desk.form.load.getdoc`, which runs the
document's onload), its connections dashboard (`frappe.desk.notifications.get_open_count`), ERPNext's party
dashboard for customers (`erpnext.accounts.party.get_dashboard_info`), mandatory fields, links, select values
and lengths on the document and its child rows, a docstatus of 0/1/2 equal on the children. For the lists, what
the list view asks (`frappe.get_list`, with permissions) as each demo user. For every child table loaded: no row
without its parent, parenttype and parentfield as the parent's doctype defines, idx from 1 without repeats, and
naming series among the doctype's options.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[3]))  # the app's checkout, for devkit.demo.site.users

import frappe

from devkit.demo.site.users import ACCOUNTANT, ANNA, DEMO_USERS, HEAD_OF_SALES, PIOTR

# doctype, who opens it in the demo, and which of its documents (a manager opens the deals she owns)
FORMS = (
	("Lead", ANNA.user, {"lead_owner": ANNA.user}),
	("Lead", HEAD_OF_SALES.user, {}),
	("Opportunity", ANNA.user, {"opportunity_owner": ANNA.user}),
	("Opportunity", PIOTR.user, {"opportunity_owner": PIOTR.user}),
	("Opportunity", HEAD_OF_SALES.user, {}),
	("Quotation", HEAD_OF_SALES.user, {}),
	("Sales Order", HEAD_OF_SALES.user, {}),
	("Sales Invoice", ACCOUNTANT.user, {}),
	("Sales Invoice", ACCOUNTANT.user, {"is_return": 1}),
	("Payment Entry", ACCOUNTANT.user, {}),
	("Customer", HEAD_OF_SALES.user, {}),
	# ERPNext gives Call Log to System Managers only (the app's dialog sets a call's outcome for the others)
	("Call Log", "Administrator", {}),
	("ToDo", ANNA.user, {"allocated_to": ANNA.user}),
	("Employee", "Administrator", {}),
	("Sales Person", HEAD_OF_SALES.user, {}),
)
LISTS = ("Lead", "Opportunity", "Quotation", "Sales Order", "Sales Invoice", "Payment Entry", "Customer")
SAMPLE = 12


def sample(doctype: str, filters: dict[str, str]) -> list[str]:
	"""About SAMPLE names spread over the doctype's documents (by creation), and the three newest."""
	names = frappe.get_all(doctype, filters=filters, order_by="creation asc, name asc", pluck="name")
	step = max(1, len(names) // SAMPLE)
	recent = frappe.get_all(doctype, filters=filters, order_by="creation desc", limit=3, pluck="name")
	return list(dict.fromkeys([*names[::step], *names[-1:], *recent]))


def document_problems(doctype: str, name: str) -> list[str]:
	from frappe.desk.form.load import getdoc
	from frappe.desk.notifications import get_open_count

	problems = []
	frappe.response.docs = []
	getdoc(doctype, name)
	doc = frappe.response.docs[0]
	get_open_count(doctype, name)
	if doctype == "Customer":
		from erpnext.accounts.party import get_dashboard_info

		get_dashboard_info("Customer", name)
	missing = doc._get_missing_mandatory_fields()
	for child in doc.get_all_children():
		missing.extend(child._get_missing_mandatory_fields())
		if child.docstatus != doc.docstatus:
			problems.append(f"{child.doctype} {child.name} docstatus {child.docstatus} != {doc.docstatus}")
	problems += [message for _, message in missing]
	invalid, _cancelled = doc.get_invalid_links(is_submittable=doc.meta.is_submittable)
	for child in doc.get_all_children():
		invalid.extend(child.get_invalid_links(is_submittable=doc.meta.is_submittable)[0])
	problems += [f"link {field} = {value}" for field, value, *_ in invalid]
	if doc.docstatus not in (0, 1, 2):
		problems.append(f"docstatus {doc.docstatus}")
	for row in (doc, *doc.get_all_children()):
		for check in (row._validate_selects, row._validate_length):
			try:
				check()
			except frappe.ValidationError as error:
				problems.append(f"{row.doctype} {row.name}: {error}")
	return [f"{doctype} {name}: {p}" for p in problems]


def check_forms() -> list[str]:
	failures = []
	for doctype, user, filters in FORMS:
		names = sample(doctype, filters)
		if not names:
			failures.append(f"no {doctype} {filters or ''} to open")
		frappe.set_user(user)
		for name in names:
			try:
				failures += document_problems(doctype, name)
			except Exception as error:
				failures.append(f"{doctype} {name}: the form raised {error!r}")
		frappe.set_user("Administrator")
		print(f"form   {doctype:<14} {len(names):>3} opened as {user} {filters or ''}")
	return failures


def check_lists() -> list[str]:
	failures = []
	for user in DEMO_USERS:
		frappe.set_user(user.user)
		seen = {}
		for doctype in LISTS:
			if not frappe.has_permission(doctype, "read"):
				continue
			try:
				meta = frappe.get_meta(doctype)
				fields = ["name", *[f.fieldname for f in meta.fields if f.in_list_view][:8]]
				seen[doctype] = len(frappe.get_list(doctype, fields=fields, limit_page_length=20))
			except Exception as error:
				failures.append(f"list {doctype} as {user.user} raised {error!r}")
		frappe.set_user("Administrator")
		print(f"list   {user.user:<42} {seen}")
	return failures


def check_children() -> list[str]:
	"""Every loaded child row hangs on its parent through the field the parent's doctype defines."""
	failures = []
	for parenttype in (
		"Opportunity",
		"Quotation",
		"Sales Order",
		"Sales Invoice",
		"Payment Entry",
		"Call Log",
	):
		for df in frappe.get_meta(parenttype).get_table_fields():
			child = f"`tab{df.options}`"
			orphans, bad_idx = frappe.db.sql(
				f"""SELECT
					SUM(p.name IS NULL), SUM(c.idx < 1)
				FROM {child} c LEFT JOIN `tab{parenttype}` p ON p.name = c.parent
				WHERE c.parenttype = %s AND c.parentfield = %s""",
				(parenttype, df.fieldname),
			)[0]
			repeats = frappe.db.sql(
				f"""SELECT COUNT(*) FROM (SELECT parent FROM {child} WHERE parenttype = %s AND parentfield = %s
				GROUP BY parent, idx HAVING COUNT(*) > 1) x""",
				(parenttype, df.fieldname),
			)[0][0]
			if orphans or bad_idx or repeats:
				failures.append(
					f"{df.options} in {parenttype}.{df.fieldname}: {orphans or 0} without parent, "
					f"{bad_idx or 0} idx < 1, {repeats} repeated idx"
				)
		strays = frappe.db.sql(
			"""SELECT DISTINCT parentfield FROM `tabDynamic Link` WHERE parenttype = %s
			UNION SELECT DISTINCT parentfield FROM `tabSales Team` WHERE parenttype = %s""",
			(parenttype, parenttype),
			pluck=True,
		)
		known = {df.fieldname for df in frappe.get_meta(parenttype).get_table_fields()}
		failures += [f"child rows of {parenttype} in unknown field {f}" for f in strays if f not in known]
		series = frappe.get_meta(parenttype).get_field("naming_series")
		if series:
			options = set((series.options or "").split("\n"))
			used = frappe.db.sql(f"SELECT DISTINCT naming_series FROM `tab{parenttype}`", pluck=True)
			failures += [
				f"{parenttype}: naming series {s} not among {sorted(options)}"
				for s in used
				if s and s not in options
			]
	print("child tables and naming series checked")
	return failures


def main() -> None:
	site = sys.argv[1]
	frappe.init(site=site, sites_path=".")
	frappe.connect()
	frappe.set_user("Administrator")
	try:
		failures = check_children() + check_forms() + check_lists()
		frappe.db.rollback()
	finally:
		frappe.destroy()
	for failure in failures[:40]:
		print(f"check: FAIL {failure}")
	if failures:
		print(f"check: {len(failures)} problems")
		sys.exit(1)
	print("check: every sampled document opens; lists and child tables are sound")


if __name__ == "__main__":
	main()

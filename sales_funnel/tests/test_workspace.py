# Copyright (c) 2026, Sales Funnel contributors
# For license information, please see license.txt
"""Bench tests of the Desk navigation: the Funnels workspace, its route, and what each role's links open."""

from __future__ import annotations

import json

import frappe
from frappe.desk.desktop import get_desktop_page
from frappe.desk.query_report import get_report_doc
from frappe.tests.utils import FrappeTestCase

from sales_funnel.patches.v1_0 import remove_old_workspace
from sales_funnel.tests import erpnext_docs as docs

WORKSPACE = "Funnels"
ROLES = {
	"sf-ws-sales-user@example.com": ("Sales User",),
	"sf-ws-sales-manager@example.com": ("Sales User", "Sales Manager"),
	"sf-ws-accounts-user@example.com": ("Accounts User",),
}


def route_of(name: str) -> str:
	"""The Desk route of a workspace or a doctype (frappe.router.slug)."""
	return name.lower().replace(" ", "-")


def workspace_links(user: str) -> list[dict]:
	frappe.set_user(user)
	page = get_desktop_page(json.dumps({"name": WORKSPACE, "title": WORKSPACE, "public": 1}))
	return [link for card in page["cards"]["items"] for link in card["links"] if link.get("type") == "Link"]


def can_open(link: dict, user: str) -> bool:
	"""What the Desk checks when the link is followed: read on a doctype; for a report, the report's roles and
	report permission on its ref_doctype (frappe.desk.query_report.run)."""
	if link["link_type"] == "DocType":
		return bool(frappe.has_permission(link["link_to"], "read", user=user))
	report = get_report_doc(link["link_to"])
	return bool(report.is_permitted() and frappe.has_permission(report.ref_doctype, "report", user=user))


class TestWorkspace(FrappeTestCase):
	@classmethod
	def setUpClass(cls) -> None:
		super().setUpClass()
		docs.company()
		for email, roles in ROLES.items():
			docs.user(email, *roles)

	def tearDown(self) -> None:
		frappe.set_user("Administrator")

	def test_workspace_does_not_shadow_the_sales_funnel_doctype(self) -> None:
		self.assertTrue(frappe.db.exists("Workspace", WORKSPACE))
		routes = {route_of(name) for name in frappe.get_all("Workspace", pluck="name")}
		self.assertNotIn(route_of("Sales Funnel"), routes)
		self.assertIn(route_of(WORKSPACE), routes)

	def test_patch_removes_the_old_workspace_only(self) -> None:
		# Frappe refuses a workspace whose title is a doctype's route (validate_route_conflict), but a workspace
		# synced from an app's JSON skips validation (frappe/modules/import_file.py): that is how the old one came in
		def imported_workspace(module: str | None) -> str:
			doc = frappe.get_doc(
				{"doctype": "Workspace", "label": "Sales Funnel", "title": "Sales Funnel", "public": 1}
			)
			doc.update({"module": module, "content": "[]"})
			doc.flags.ignore_validate = True
			return doc.insert(ignore_permissions=True).name

		imported_workspace("Sales Funnel")
		remove_old_workspace.execute()
		self.assertFalse(frappe.db.exists("Workspace", "Sales Funnel"))

		other = imported_workspace(None)  # a workspace of that name that is not the app's stays
		remove_old_workspace.execute()
		self.assertTrue(frappe.db.exists("Workspace", other))
		frappe.delete_doc("Workspace", other, ignore_permissions=True, force=True)

	def test_every_link_a_role_sees_opens(self) -> None:
		for user in ROLES:
			links = workspace_links(user)
			frappe.set_user("Administrator")
			refused = [link["link_to"] for link in links if not can_open(link, user)]
			self.assertEqual(refused, [], f"{user} sees links they cannot open")

	def test_a_sales_user_sees_the_funnel_reports(self) -> None:
		shown = {link["link_to"] for link in workspace_links("sf-ws-sales-user@example.com")}
		for report in ("Stage Conversion", "Call Outcomes", "Stale Deals"):
			self.assertIn(report, shown)
		self.assertNotIn("Invoices Without Deal", shown)  # an accountant's report

	def test_the_long_jobs_shortcut_counts_running_jobs_for_who_may_read_them(self) -> None:
		"""The "Long Jobs" shortcut opens the Sales Funnel Job list and counts the queued and running jobs (the
		Desk counts its `stats_filter`); a Sales User, who may not read the jobs, does not get it."""
		from sales_funnel.services import jobs

		def shortcut(user: str) -> dict | None:
			frappe.set_user(user)
			page = get_desktop_page(json.dumps({"name": WORKSPACE, "title": WORKSPACE, "public": 1}))
			frappe.set_user("Administrator")
			return next((s for s in page["shortcuts"]["items"] if s["label"] == "Long Jobs"), None)

		jobs.mark_queued(jobs.CALL_ROLLUP, 3)
		found = shortcut("sf-ws-sales-manager@example.com")
		self.assertEqual((found["type"], found["link_to"]), ("DocType", jobs.JOB_DOCTYPE))
		filters = json.loads(found["stats_filter"])
		self.assertGreaterEqual(frappe.db.count(jobs.JOB_DOCTYPE, filters), 1)
		self.assertIsNone(shortcut("sf-ws-sales-user@example.com"))

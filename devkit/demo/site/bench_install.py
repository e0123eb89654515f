"""Bench side, after the load: what installing the app on a site with data does, then a few real documents.

	python bench_install.py SITE MARKER_JSON      (the bench's Python, from its `sites` folder)

1. The app's install steps on existing data (`sales_funnel.install`): its indexes, which deals came from calls,
   each call's funnel, the stage history of deals that have none (the loaded deals have theirs), and the credit
   ledger; run inline whatever the size (an install queues the big ones for a worker the demo does not start).
   Then the past days' calls are sealed into the Call Outcomes rollup, as the hourly job does.
2. Documents made through ERPNext's own mappers, as the accountant makes them: invoices for a few of the two demo
   managers' orders that the load left unbilled, and payments for some of them. These are submitted for real, so
   the accountant's ledgers (GL Entry, Payment Ledger Entry) have entries, which the SQL load does not write.
3. The caches cleared, and MARKER_JSON (deals, seed, now) written to site_config.json as `sf_demo`, which tells a
   later run that the site holds this data.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[3]))  # the app's checkout, for devkit.demo.site.users

import frappe
from frappe.installer import update_site_config

from devkit.demo.site.users import ACCOUNTANT, MANAGERS

MARKER = "sf_demo"
INVOICES_PER_MANAGER = 3
PAID_PER_MANAGER = 2


def install_steps() -> None:
	from sales_funnel import install
	from sales_funnel.services.backfill import run_backfill
	from sales_funnel.services.credits import rebuild_credit_ledger
	from sales_funnel.tasks import seal_call_days

	install.add_app_indexes()
	install.mark_deals_from_calls()
	install.keep_call_funnels()
	history = run_backfill(commit=False)
	print(f"stage history backfilled for {history.get('deals_applied', 0)} deals without one")
	ledger = rebuild_credit_ledger(commit=False)
	print(f"credit ledger: {ledger['rows']} rows")
	frappe.db.commit()
	seal_call_days()
	frappe.db.commit()


def unbilled_orders(user: str, limit: int) -> list[str]:
	"""The user's newest orders the load left unbilled, in the company's currency (the customers' receivable)."""
	return frappe.get_all(
		"Sales Order",
		filters={"docstatus": 1, "per_billed": 0, "owner": user, "conversion_rate": 1},
		pluck="name",
		order_by="transaction_date desc",
		limit=limit,
	)


def real_documents() -> list[str]:
	"""Invoices (and payments for some) of the demo managers' unbilled orders, made by the accountant."""
	from erpnext.accounts.doctype.payment_entry.payment_entry import get_payment_entry
	from erpnext.selling.doctype.sales_order.sales_order import make_sales_invoice

	made = []
	frappe.set_user(ACCOUNTANT.user)
	for manager in MANAGERS:
		for number, order in enumerate(unbilled_orders(manager.user, INVOICES_PER_MANAGER)):
			invoice = make_sales_invoice(order)
			invoice.insert()
			invoice.submit()
			made.append(invoice.name)
			if number < PAID_PER_MANAGER:
				payment = get_payment_entry("Sales Invoice", invoice.name)
				payment.reference_no = f"DEMO-{invoice.name}"
				payment.reference_date = frappe.utils.nowdate()
				payment.insert()
				payment.submit()
				made.append(payment.name)
	frappe.set_user("Administrator")
	frappe.db.commit()
	return made


def main() -> None:
	site, marker = sys.argv[1], json.loads(sys.argv[2])
	frappe.init(site=site, sites_path=".")
	frappe.connect()
	frappe.set_user("Administrator")
	try:
		install_steps()
		made = real_documents()
		print(f"made through ERPNext's document API: {', '.join(made) or 'nothing'}")
		frappe.clear_cache()
		update_site_config(MARKER, marker)
	finally:
		frappe.destroy()


if __name__ == "__main__":
	main()

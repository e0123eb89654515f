# Copyright (c) 2026, Sales Funnel contributors
# For license information, please see license.txt
"""Bench commands of the app. Frappe's bench helper imports `<app>.commands` and adds every click command in
its module-level `commands` list (frappe/utils/bench_helper.py, `get_app_commands`)."""

from __future__ import annotations

import click
from frappe.commands import get_site, pass_context

from sales_funnel.engine.backfill import DEFAULT_BATCH_SIZE


@click.command("sf-backfill-history")
@click.option("--deal", "deals", multiple=True, help="Only this Opportunity (repeat for more).")
@click.option("--batch-size", default=DEFAULT_BATCH_SIZE, show_default=True, type=click.IntRange(min=1))
@click.option("--dry-run", is_flag=True, default=False, help="Plan and count only; write nothing.")
@pass_context
def backfill_history(context, deals: tuple[str, ...], batch_size: int, dry_run: bool) -> None:
	"""Rebuild stage history of Opportunities that have none, from their Versions (idempotent)."""
	import frappe
	from frappe import _

	from sales_funnel.backfill_apply import run_backfill

	site = get_site(context)
	frappe.init(site=site)
	frappe.connect()
	try:
		result = run_backfill(list(deals) or None, commit=not dry_run, dry_run=dry_run, batch_size=batch_size)
		for key, value in result.items():
			if key != "skipped":
				click.echo(f"{key}: {value}")
		for deal, reason in result["skipped"].items():
			click.echo(_("Skipped {0}: {1}").format(deal, reason))
	finally:
		frappe.destroy()


@click.command("sf-rebuild-credit-ledger")
@click.option("--company", default=None, help="Only this company's rows.")
@pass_context
def rebuild_credit_ledger(context, company: str | None) -> None:
	"""Write the credit ledger (Sales Credit Entry) again from submitted invoices and payments (idempotent)."""
	import frappe
	from frappe import _

	from sales_funnel.credit_ledger import rebuild_credit_ledger as rebuild

	site = get_site(context)
	frappe.init(site=site)
	frappe.connect()
	try:
		result = rebuild(company, commit=True)
		click.echo(_("Credit ledger rebuilt: {0} rows.").format(result["rows"]))
	finally:
		frappe.destroy()


commands = [backfill_history, rebuild_credit_ledger]

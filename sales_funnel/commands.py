# Copyright (c) 2026, Sales Funnel contributors
# For license information, please see license.txt
"""Bench commands of the app. Frappe's bench helper imports `<app>.commands` and adds every click command in
its module-level `commands` list (frappe/utils/bench_helper.py, `get_app_commands`).

Each command connects to the site and runs a function of this module that does the work on the connected site
and prints what it did (`backfill_deals`, `rebuild_ledger`); the bench tests call those on their own connection."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import click
from frappe.commands import get_site, pass_context

from sales_funnel.engine.funnels.backfill.plan import DEFAULT_BATCH_SIZE


def _on_site(context: Any, work: Callable[[], Any]) -> None:
	import frappe

	frappe.init(site=get_site(context))
	frappe.connect()
	try:
		work()
	finally:
		frappe.destroy()


@click.command("sf-backfill-history")
@click.option("--deal", "deals", multiple=True, help="Only this Opportunity (repeat for more).")
@click.option("--batch-size", default=DEFAULT_BATCH_SIZE, show_default=True, type=click.IntRange(min=1))
@click.option("--dry-run", is_flag=True, default=False, help="Plan and count only; write nothing.")
@pass_context
def backfill_history(context, deals: tuple[str, ...], batch_size: int, dry_run: bool) -> None:
	"""Rebuild stage history of Opportunities that have none, from their Versions (idempotent)."""
	_on_site(context, lambda: backfill_deals(deals, batch_size=batch_size, dry_run=dry_run))


def backfill_deals(
	deals: Sequence[str] = (),
	*,
	batch_size: int = DEFAULT_BATCH_SIZE,
	dry_run: bool = False,
	commit: bool = True,
) -> dict[str, Any]:
	"""`sf-backfill-history` on the connected site: backfill the given deals (all without history when none are
	given), committing after each batch unless `dry_run`, and print the counts and the deals skipped."""
	from frappe import _

	from sales_funnel.services.backfill import run_backfill

	result = run_backfill(
		list(deals) or None, commit=commit and not dry_run, dry_run=dry_run, batch_size=batch_size
	)
	for key, value in result.items():
		if key != "skipped":
			click.echo(f"{key}: {value}")
	for deal, reason in result["skipped"].items():
		click.echo(_("Skipped {0}: {1}").format(deal, reason))
	return result


@click.command("sf-rebuild-credit-ledger")
@click.option("--company", default=None, help="Only this company's rows.")
@pass_context
def rebuild_credit_ledger(context, company: str | None) -> None:
	"""Write the credit ledger (Sales Credit Entry) again from submitted invoices and payments (idempotent)."""
	_on_site(context, lambda: rebuild_ledger(company))


def rebuild_ledger(company: str | None = None, *, commit: bool = True) -> dict[str, Any]:
	"""`sf-rebuild-credit-ledger` on the connected site: rebuild the ledger (of `company`, or all), committing after
	each company-year, and print how many rows it wrote."""
	from frappe import _

	from sales_funnel.services.credits import rebuild_credit_ledger as rebuild

	result = rebuild(company, commit=commit)
	click.echo(_("Credit ledger rebuilt: {0} rows.").format(result["rows"]))
	return result


commands = [backfill_history, rebuild_credit_ledger]

# Copyright (c) 2026, Sales Funnel contributors
# For license information, please see license.txt
"""Installation and migration hooks.

Frappe's `install_app` runs `after_install` *before* it syncs the app's fixtures, so the `sf_` custom fields
do not exist yet then; the history backfill and the credit ledger (which reads `sf_opportunity`) therefore run in
`after_sync`, which comes after the fixtures.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click
import frappe
from frappe import _

from sales_funnel.services.backfill import start_backfill
from sales_funnel.services.credits import start_rebuild


def add_app_indexes() -> None:
	"""The composite indexes the app needs (`engine.indexes.APP_INDEXES`); `add_index` skips existing ones."""
	from sales_funnel.engine.indexes import APP_INDEXES, named_index

	for doctype, indexes in APP_INDEXES.items():
		for index in indexes:
			index_name, columns = named_index(index)
			frappe.db.add_index(doctype, columns, index_name)


def after_migrate() -> None:
	add_app_indexes()


def after_sync() -> None:
	"""On install, once the fixtures exist: the indexes, which deals came from calls and which funnel each call
	belongs to, the stage history of existing deals, and the credit ledger of existing invoices and payments."""
	add_app_indexes()
	mark_deals_from_calls()
	keep_call_funnels()
	backfill_existing_deals()
	build_credit_ledger()


def build_credit_ledger() -> None:
	"""Write the credit ledger (Sales Credit Entry) of the site's submitted invoices and payments: inline for up to
	20,000 invoices, else as a background job; `bench --site … sf-rebuild-credit-ledger` does it again (idempotent)."""
	if not frappe.db.count("Sales Invoice", {"docstatus": 1}):
		return
	_run_without_failing_install(
		lambda: start_rebuild(commit=False),
		_("Sales Funnel: building the credit ledger failed"),
		_("Building the credit ledger failed; run: bench --site {0} sf-rebuild-credit-ledger"),
		lambda result: (
			_("The credit ledger of {0} invoices is being built in the background.").format(
				result["invoices"]
			)
			if result.get("queued")
			else _("Credit ledger built: {0} rows.").format(result["rows"])
		),
	)


STEP_SAVEPOINT = "sales_funnel_install_step"


def _run_without_failing_install(
	start: Callable[[], dict[str, Any]], error_title: str, retry_hint: str, report: Callable[[dict], str]
) -> None:
	"""Run a catch-up step of installation (inline or queued, as `start` decides) and print what it did. The step
	runs inside a savepoint and commits nothing itself (the installation commits once, at its end): when it fails,
	everything it wrote is rolled back, so no half-written history or ledger stays behind for the installation to
	commit; the failure is logged and `retry_hint` (formatted with the site) says which command runs it again (it
	starts from the state before the step). The installation of the app never fails over existing data."""
	frappe.db.savepoint(STEP_SAVEPOINT)
	try:
		result = start()
	except Exception:
		frappe.db.rollback(save_point=STEP_SAVEPOINT)
		frappe.log_error(title=error_title)
		click.secho(retry_hint.format(frappe.local.site), fg="yellow")
		return
	frappe.db.release_savepoint(STEP_SAVEPOINT)
	click.echo(report(result))


def mark_deals_from_calls() -> None:
	"""`Opportunity.sf_from_call` for the deals existing Call Logs link to (the Call Log hook keeps it after)."""
	from sales_funnel.engine.calls.from_call import backfill_from_call

	changed = backfill_from_call(frappe.db)
	if changed:
		click.echo(_("{0} deals marked as coming from a call.").format(changed))


def keep_call_funnels() -> None:
	"""`Call Log.sf_funnel` for existing calls (the Call Log and Opportunity hooks keep it after), then every day
	of the rollup unsealed: `Call Funnel Rollup` is counted by it and the hourly job seals the days again."""
	from sales_funnel.engine.calls.rollup import unseal_all
	from sales_funnel.engine.funnels.call_funnel import backfill_call_funnels

	changed = backfill_call_funnels(frappe.db)
	unseal_all(frappe.db)
	if changed:
		click.echo(_("{0} calls put in the funnel of their deal.").format(changed))


def backfill_existing_deals() -> None:
	"""Rebuild the stage history of existing Opportunities from their Versions: inline for up to 5,000 deals,
	else as a background job. Deals in no funnel are skipped; `bench --site … sf-backfill-history` can be run
	again once funnels are set up (it only touches deals that still have no history)."""
	if not frappe.db.count("Opportunity"):
		return
	_run_without_failing_install(
		lambda: start_backfill(commit=False),
		_("Sales Funnel: stage history backfill failed"),
		_("Rebuilding the stage history failed; run: bench --site {0} sf-backfill-history"),
		lambda result: (
			_("Stage history of {0} deals is being rebuilt in the background.").format(result["deals"])
			if result.get("queued")
			else _("Stage history rebuilt for {0} deals ({1} rows); {2} deals skipped.").format(
				result["deals_applied"], result["transitions"], result["deals_skipped"]
			)
		),
	)

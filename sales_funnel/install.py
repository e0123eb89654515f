# Copyright (c) 2026, Sales Funnel contributors
# For license information, please see license.txt
"""Installation hooks (hooks.py: `after_install`)."""

from __future__ import annotations

import click
import frappe
from frappe import _

from sales_funnel.backfill_apply import start_backfill


def after_install() -> None:
	"""Rebuild the stage history of existing Opportunities from their Versions: inline for up to 5,000 deals,
	else as a background job. Deals in no funnel are skipped; `bench --site … sf-backfill-history` can be run
	again once funnels are set up (it only touches deals that still have no history)."""
	if not frappe.db.count("Opportunity"):
		return
	try:
		result = start_backfill()
	except Exception:
		# never fail the installation over history: the command can be run later
		frappe.log_error(title=_("Sales Funnel: stage history backfill failed"))
		click.secho(
			_("Rebuilding the stage history failed; run: bench --site {0} sf-backfill-history").format(
				frappe.local.site
			),
			fg="yellow",
		)
		return
	if result.get("queued"):
		click.echo(
			_("Stage history of {0} deals is being rebuilt in the background.").format(result["deals"])
		)
	else:
		click.echo(
			_("Stage history rebuilt for {0} deals ({1} rows); {2} deals skipped.").format(
				result["deals_applied"], result["transitions"], result["deals_skipped"]
			)
		)

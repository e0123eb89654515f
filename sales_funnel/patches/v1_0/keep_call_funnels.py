# Copyright (c) 2026, Sales Funnel contributors
# For license information, please see license.txt
"""Sites that installed the app before `Call Log.sf_funnel` and `Call Funnel Rollup` existed: put every call in
the funnel of its first deal and unseal every day of the call rollup, whose sealed days have no `Call Funnel
Rollup` rows yet (the hourly job seals them again; until then the reports read those days from the Call Logs).
A new installation does it in `install.after_sync`; Frappe marks patches done on install.

`bench migrate` runs post-model-sync patches before it syncs the fixtures, so the `sf_funnel` custom field (a
fixture) is synced here first when its column is missing: it must exist before it is filled."""

from sales_funnel.install import keep_call_funnels
from sales_funnel.patches.fixtures import ensure_custom_fields


def execute() -> None:
	ensure_custom_fields(("Call Log", "sf_funnel"))
	keep_call_funnels()

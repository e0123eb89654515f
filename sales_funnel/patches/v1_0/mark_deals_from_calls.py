# Copyright (c) 2026, Sales Funnel contributors
# For license information, please see license.txt
"""Sites that installed the app before `Opportunity.sf_from_call` existed: flag the deals their Call Logs link
to (a new installation does it in `install.after_sync`; Frappe marks patches done on install).

`bench migrate` runs post-model-sync patches before it syncs the fixtures, so the `sf_from_call` custom field (a
fixture) is synced here first when its column is missing: it must exist before it is filled."""

from sales_funnel.install import mark_deals_from_calls
from sales_funnel.patches.fixtures import ensure_custom_fields


def execute() -> None:
	ensure_custom_fields(("Opportunity", "sf_from_call"))
	mark_deals_from_calls()

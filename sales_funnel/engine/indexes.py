"""The composite indexes the app adds, which a bench needs at run time (install, migrate, each controller's
`on_doctype_update`) and the test schema (`devkit.schema.ddl`) creates as well."""

from __future__ import annotations

REPORT_KEY = ["funnel"]
REPORT_PAYLOAD = ["progress_from", "progress_to", "from_position", "to_position", "is_latest", "days_in_from_stage",
	"amount", "lost_reason"]  # fmt: skip
# Slice columns are not in the covering indexes: widening them slowed the unsliced report more than it sped up
# the sliced one (benchmarks/results/stage_conversion.json); a sliced report reads the rows.

# Call Rollup's counts (engine/calls/rollup.py), in its covering indexes
ROLLUP_COUNTS = ["calls", "incoming", "outgoing", "answered", "answered_incoming", "answered_outgoing"]

# Composite indexes the app adds. Doctype JSON cannot declare them: on a bench each of the app's controllers'
# `on_doctype_update` adds its own with `frappe.db.add_index`, and `install.after_sync` / `after_migrate`
# those on ERPNext's tables; off a bench `devkit.schema.ddl.create_table_sql` does.
APP_INDEXES: dict[str, list[tuple[str, list[str]]]] = {
	# the Call Outcomes report (engine/calls.py) reads these, not the rows: by period, and one manager's calls
	"Call Log": [
		("sf_call_report", ["start_time", "employee_user_id", "sf_outcome", "type", "status"]),
		("sf_call_manager", ["employee_user_id", "start_time", "sf_outcome", "type", "status"]),
		# the Stage Conversion report's Call Received row: a funnel's calls of a period (engine/funnels/call_funnel.py)
		("sf_call_funnel", ["sf_funnel", "start_time", "employee_user_id"]),
	],
	# the report reads sealed past days from these covering indexes, never the rows (engine/calls/rollup.py)
	"Call Rollup": [
		("rollup_day", ["day", "manager", "outcome", *ROLLUP_COUNTS]),
		("rollup_manager", ["manager", "day", "outcome", *ROLLUP_COUNTS]),
	],
	# the Call Received row reads sealed past days from this covering index (engine/calls/rollup.py)
	"Call Funnel Rollup": [("funnel_day", ["funnel", "day", "manager", "calls"])],
	# "is this Opportunity linked from a Call Log" without reading the link rows (Frappe's own index lacks parenttype)
	"Dynamic Link": [("sf_link_parenttype", ["link_doctype", "link_name", "parenttype"])],
	# deals without recorded history (not backfilled yet) are found without scanning the funnel's deals
	"Opportunity": [
		("sf_funnel_history", ["sf_sales_funnel", "sf_stage_entered_at"]),
		# the Call Outcomes report's deals from calls and their won ones, read from this index alone
		(
			"sf_from_call",
			["sf_from_call", "creation", "opportunity_owner", "status", "sf_sales_funnel", "sales_stage"],
		),
	],
	"Funnel Stage Transition": [
		# the recorder's "latest row of this deal"
		("sf_deal_latest", ["deal_doctype", "deal", "is_latest"]),
		# "which move did this document make" (cancelling a trigger document)
		("sf_reference", ["reference_doctype", "reference_name"]),
		# the Stage Conversion report reads only these indexes (covering), never the rows, unless sliced
		("sf_cohort", [*REPORT_KEY, "funnel_entered_at", *REPORT_PAYLOAD, "transitioned_at"]),
		("sf_activity", [*REPORT_KEY, "transitioned_at", *REPORT_PAYLOAD, "funnel_entered_at"]),
		("sf_open_now", ["funnel", "is_latest", "to_position", "transitioned_at", "funnel_entered_at"]),
	],
	# Plan vs Fact and Daily Payments (engine/sales/facts.py, engine/sales/payments.py) read these, not the rows
	"Sales Invoice": [
		(
			"sf_planfact",
			[
				"company",
				"docstatus",
				"posting_date",
				"is_opening",
				"is_return",
				"base_net_total",
				"return_against",
				"sf_opportunity",
			],
		),
	],
	"Sales Invoice Item": [
		("sf_margin", ["parent", "parenttype", "base_net_amount", "incoming_rate", "stock_qty"])
	],
	"Sales Team": [("sf_credit", ["parent", "parenttype", "sales_person", "allocated_percentage"])],
	"Payment Entry": [("sf_received", ["company", "docstatus", "payment_type", "posting_date"])],
	"Payment Entry Reference": [
		("sf_allocated", ["parent", "parenttype", "reference_doctype", "reference_name", "allocated_amount"]),
	],
	"Payment Schedule": [("sf_open_dues", ["outstanding", "due_date", "parenttype", "parent"])],
	"Sales Credit Entry": [
		# Plan vs Fact and Daily Payments read the credit ledger through this index only (covering)
		(
			"sf_credit_facts",
			[
				"company",
				"posting_date",
				"sales_person",
				"invoiced_revenue",
				"gross_margin",
				"payments_received",
			],
		),
		# rewriting a document's rows
		("sf_voucher", ["voucher_type", "voucher_no"]),
	],
}


def named_index(index: tuple[str, list[str]] | list[str]) -> tuple[str, list[str]]:
	"""(name, columns); a bare column list gets Frappe's default name (`get_index_name`: columns joined + _index)."""
	if isinstance(index, tuple):
		return index
	return "_".join(index) + "_index", list(index)

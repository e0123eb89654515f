app_name = "sales_funnel"
app_title = "Sales Funnel"
app_publisher = "Sales Funnel contributors"
app_description = (
	"Configurable sales funnels, stage history, call outcomes, plan/fact and reassignment for ERPNext"
)
app_email = "sales-funnel@example.com"
app_license = "mit"

required_apps = ["frappe/erpnext"]

# Installation and migration
# --------------------------
# after_sync, not after_install: Frappe syncs fixtures (the sf_ custom fields) after after_install

after_sync = "sales_funnel.install.after_sync"
after_migrate = "sales_funnel.install.after_migrate"
# the app's scheduled jobs and queued background jobs go with it (Frappe leaves them behind)
before_uninstall = "sales_funnel.uninstall.before_uninstall"

# Fixtures
# --------
# Custom Fields that the app adds to ERPNext doctypes, all prefixed `sf_`

fixtures = [
	{"dt": "Custom Field", "filters": [["module", "=", "Sales Funnel"]]},
]

# Desk
# ----
# The Funnels workspace (sales_funnel/dashboards.py): its charts' filters, and each number card's currency and its
# comparison with the previous period, which Frappe draws for Document Type cards only (dashboards.js); on every
# Desk page, report summaries honour an item's precision (49.8%, not 49.750%; report_summary.js)
app_include_js = ["/assets/sales_funnel/js/dashboards.js", "/assets/sales_funnel/js/report_summary.js"]

# Call Log: set the outcome; Lead / Opportunity / Customer: log a call made outside telephony

doctype_js = {
	"Call Log": ["public/js/call_outcome_dialog.js", "public/js/call_log.js"],
	"Lead": ["public/js/call_outcome_dialog.js", "public/js/log_call.js"],
	"Opportunity": ["public/js/call_outcome_dialog.js", "public/js/log_call.js"],
	"Customer": ["public/js/call_outcome_dialog.js", "public/js/log_call.js"],
}

# Scheduled Tasks
# ---------------
# Jobs that can run for minutes go on the long queue (`*_long`: Frappe's `long` queue, 1,500 s, instead of
# `default`, 300 s): the call reminders (up to 5,000 ToDos), reassigning stale deals (up to 1,000 moves), sealing
# the call rollup (up to 400 days), the managers' tiers. The digest is one grouped query and one message.
# Frappe's sync_jobs (install, migrate) removes the Scheduled Job Types of names no longer listed here.

scheduler_events = {
	"hourly_long": [
		"sales_funnel.tasks.remind_calls_without_outcome",
		"sales_funnel.tasks.reassign_stale_deals",
		"sales_funnel.tasks.seal_call_days",
		# document-driven stage moves that failed twice (Pending Stage Move), applied again
		"sales_funnel.tasks.apply_pending_stage_moves",
	],
	"daily": ["sales_funnel.tasks.send_outcome_digest"],
	"daily_long": ["sales_funnel.tasks.refresh_manager_tiers"],
}

# Document Events
# ---------------
# One module per ERPNext doctype in overrides/, holding its handlers (the shared work is in services/). Every
# change of a deal's stage is recorded as a Funnel Stage Transition in the same transaction; submitted documents
# move deals forward, cancelled ones step them back. Sales Invoices and Payment Entries write their credit (Sales
# Credit Entry) in the same transaction.

doc_events = {
	"Lead": {
		# a new Lead with a temperature goes to a manager of the matching tier (Reassignment Rule routing)
		"after_insert": "sales_funnel.overrides.lead.after_insert",
	},
	"Call Log": {
		# a changed call of a sealed past day unseals the day in the Call Outcomes rollup
		"on_update": "sales_funnel.overrides.call_log.on_update",
		"on_trash": "sales_funnel.overrides.call_log.on_trash",
	},
	"Opportunity": {
		"before_insert": "sales_funnel.overrides.opportunity.before_insert",
		# the stage a save moves the deal to gives it that stage's probability
		"validate": "sales_funnel.overrides.opportunity.validate",
		"after_insert": "sales_funnel.overrides.opportunity.after_insert",
		"on_update": "sales_funnel.overrides.opportunity.on_update",
		# a deleted deal's history and reassignment log go with it
		"on_trash": "sales_funnel.overrides.opportunity.on_trash",
	},
	"Quotation": {
		"on_submit": "sales_funnel.overrides.quotation.on_submit",
		"on_cancel": "sales_funnel.overrides.quotation.on_cancel",
		# declaring a submitted quotation lost marks its deals Lost behind their hooks (db_set)
		"on_update_after_submit": "sales_funnel.overrides.quotation.on_update_after_submit",
	},
	"Sales Order": {
		"on_submit": "sales_funnel.overrides.sales_order.on_submit",
		"on_cancel": "sales_funnel.overrides.sales_order.on_cancel",
	},
	"Sales Invoice": {
		# the deal the invoice realises (sf_opportunity), from its orders' quotations
		"before_submit": "sales_funnel.overrides.sales_invoice.before_submit",
		"before_update_after_submit": "sales_funnel.overrides.sales_invoice.before_update_after_submit",
		# stage moves, and the credit ledger (Sales Credit Entry) in the same transaction
		"on_submit": "sales_funnel.overrides.sales_invoice.on_submit",
		"on_cancel": "sales_funnel.overrides.sales_invoice.on_cancel",
		# an accountant corrected the deal: the invoice's credit (and its payments') follows
		"on_update_after_submit": "sales_funnel.overrides.sales_invoice.on_update_after_submit",
		# paid in full by a payment reconciled to it (its status is set with db_set): the deal's Paid stage
		"on_change": "sales_funnel.overrides.sales_invoice.on_change",
	},
	"Payment Entry": {
		"on_submit": "sales_funnel.overrides.payment_entry.on_submit",
		"on_cancel": "sales_funnel.overrides.payment_entry.on_cancel",
		# payment reconciliation changes a submitted entry's references and saves it
		"on_update_after_submit": "sales_funnel.overrides.payment_entry.on_update_after_submit",
	},
}

# A deal's history goes with the deal (on_trash above); rows that name a cancelled trigger document as their
# reference never block deleting that document.
ignore_links_on_delete = ["Funnel Stage Transition"]

# Testing
# -------

before_tests = "erpnext.setup.utils.before_tests"

# Permissions
# -----------
# A Sales User sees the stage history of the deals they own or are assigned; a Sales Manager sees all. A Sales
# User sees the Sales Plans and credit ledger rows of their own Sales People only, and the Reassignment Log rows
# of deals taken from or given to them. Every permission hook is in permissions.py.

permission_query_conditions = {
	"Funnel Stage Transition": "sales_funnel.permissions.transition_query_conditions",
	"Reassignment Log": "sales_funnel.permissions.log_query_conditions",
	"Sales Plan": "sales_funnel.permissions.plan_query_conditions",
	"Sales Plan Target": "sales_funnel.permissions.plan_target_query_conditions",
	"Sales Credit Entry": "sales_funnel.permissions.credit_query_conditions",
}

has_permission = {
	"Funnel Stage Transition": "sales_funnel.permissions.transition_has_permission",
	"Reassignment Log": "sales_funnel.permissions.log_has_permission",
	"Sales Plan": "sales_funnel.permissions.plan_has_permission",
	"Sales Credit Entry": "sales_funnel.permissions.credit_has_permission",
}

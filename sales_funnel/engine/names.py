"""Names the app's code shares: ERPNext and app doctypes, roles, and the Opportunity statuses that mean open.

One place for each spelling, so a rename (or a typo) is one edit and a grep finds every use."""

# ERPNext doctypes the app reads or hooks
DEAL_DOCTYPE = "Opportunity"
LEAD_DOCTYPE = "Lead"
CALL_LOG_DOCTYPE = "Call Log"
QUOTATION_DOCTYPE = "Quotation"
SALES_ORDER_DOCTYPE = "Sales Order"
SALES_INVOICE_DOCTYPE = "Sales Invoice"
PAYMENT_ENTRY_DOCTYPE = "Payment Entry"

# The app's own doctypes
FUNNEL_DOCTYPE = "Sales Funnel"
TRANSITION_DOCTYPE = "Funnel Stage Transition"
REASSIGNMENT_LOG_DOCTYPE = "Reassignment Log"
CREDIT_ENTRY_DOCTYPE = "Sales Credit Entry"
SALES_PLAN_DOCTYPE = "Sales Plan"

# Roles
SALES_MANAGER = "Sales Manager"
SALES_USER = "Sales User"
SYSTEM_MANAGER = "System Manager"
ACCOUNTS_USER = "Accounts User"
ACCOUNTS_MANAGER = "Accounts Manager"
ADMINISTRATOR = "Administrator"

# Who sees every deal (the rest see their own and those assigned to them)
MANAGER_ROLES = frozenset({SALES_MANAGER, SYSTEM_MANAGER})
# Who sees every Sales Person's money figures
SEES_ALL_MONEY = frozenset({SALES_MANAGER, SYSTEM_MANAGER, ACCOUNTS_USER, ACCOUNTS_MANAGER})

# Opportunity statuses of a deal still in play (ERPNext v15 Opportunity.status options; Lost, Closed and Converted
# end a deal)
OPEN_DEAL_STATUSES = ("Open", "Quotation", "Replied")
# ... and those that end it
CLOSED_DEAL_STATUSES = ("Lost", "Converted", "Closed")
# Every Opportunity status (the options of ERPNext v15 opportunity.json, in their order)
DEAL_STATUSES = ("Open", "Quotation", "Converted", "Lost", "Replied", "Closed")

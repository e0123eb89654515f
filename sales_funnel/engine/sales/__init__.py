"""Sales plans and what realises them: plan / fact, payments, crediting, deals tied to invoices.

- `plans`: plan periods and metrics, checking a Sales Plan, reading its targets.
- `crediting`: who is credited with an invoice's revenue and margin and with its payments (SQL).
- `credit_ledger`: the `Sales Credit Entry` rows, written per document and rebuilt.
- `facts`: the facts per credited Sales Person for a company and period.
- `sales_people`: the Sales Person tree (members, whom a user may see, rollup, a user's own).
- `planfact`: Plan vs Fact, rolled up the tree, with plans and projections.
- `payments`: Daily Payments (due, received, overdue per Sales Person).
- `deal_links`: the deal an invoice realises, by ERPNext's document chain; Invoices Without Deal.
- `report_rows`: the Desk's columns, rows, chart and summary of Plan vs Fact, Daily Payments and Invoices
  Without Deal.
"""

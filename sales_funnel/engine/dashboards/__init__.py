"""The Funnels workspace's number cards and charts (`sales_funnel/dashboards.py` is their Frappe layer):
`periods` (which days a card compares), `queries` (the workspace's own SQL), `figures` (the reports' own
engine calls, for the card's period and scope)."""

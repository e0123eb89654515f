"""The tested core of sales_funnel. It never imports frappe.

Every entry point takes a `db` object with Frappe's `db.sql(query, values=None, as_dict=False)`
contract (see `sales_funnel.engine.db`): `frappe.db` on a bench, `MariaDB` in tests and the demo.
"""

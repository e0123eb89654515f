"""Database schema for tests, benchmarks and the demo: ERPNext-shaped tables plus the app's own.

On a bench Frappe creates every table itself; here the same rules are applied to the same metadata
(the app's doctype JSON, its Custom Field fixtures and the ERPNext stubs in `erpnext_v15`).
"""

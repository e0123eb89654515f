"""Fake card and chart methods used by tests/test_artifacts.py (never imported, only parsed)."""

import frappe


@frappe.whitelist()
def open_deals(filters=None):
	return {"value": 0}


@frappe.whitelist()
def deals_chart(filters=None, **controls):
	return {"labels": [], "datasets": []}


def not_whitelisted(filters=None):
	return {"value": 0}

"""Fake app module used by tests/test_artifacts.py (never imported, only parsed)."""


def after_install():
	pass


def on_opportunity_update(doc, method=None):
	pass


def daily():
	pass

# Copyright (c) 2026, Sales Funnel contributors
# For license information, please see license.txt
"""What every part of the Frappe layer shares: the engine's messages in the user's language.

The engine never imports frappe, so it cannot call `_()`: it returns a `Message` (a template and its arguments,
the template marked for the extractor) and raises `InvalidInput` for bad input; here they become Frappe's
translated text and `frappe.throw`."""

from __future__ import annotations

import frappe
from frappe import _

from sales_funnel.engine.i18n import InvalidInput, Message


def translate(message: Message) -> str:
	"""An engine message in the user's language: `_(template).format(*args)`; text arguments (labels the
	engine marked with its own `_`, stage and trigger names) are translated too."""
	args = (_(arg) if isinstance(arg, str) else arg for arg in message.args)
	return _(message.template).format(*args)


def throw_invalid(error: InvalidInput, title: str | None = None) -> None:
	frappe.throw(translate(error.message), title=title or _("Sales Funnel"))

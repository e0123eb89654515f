"""User-facing text in the engine, translatable by the Frappe layer.

The engine cannot call `frappe._`. It writes each message as `_("English {0}")` (this module's `_` returns
the text unchanged, and Frappe's translation extractor finds the call like any other `_()`), and hands
`Message(template, args)` to the Frappe layer, which shows `frappe._(template).format(*args)`.
"""

from __future__ import annotations

from dataclasses import dataclass


def _(text: str) -> str:
	"""Mark `text` for translation; the Frappe layer translates it."""
	return text


@dataclass(frozen=True)
class Message:
	template: str
	args: tuple = ()

	def english(self) -> str:
		return self.template.format(*self.args)

	def __str__(self) -> str:
		return self.english()


class InvalidInput(ValueError):
	"""Bad input from a user: the Frappe layer turns it into `frappe.throw` with the translated message."""

	def __init__(self, message: Message):
		super().__init__(message.english())
		self.message = message

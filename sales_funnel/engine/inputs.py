"""Checks of the reports' and plans' input that more than one engine module shares: the company exists, a date is
one the reports can compute with, a list of Sales People is a list (not a text), a target is a real number.

Each raises `InvalidInput` with a message the Frappe layer translates (`frappe.throw`), so bad input never reaches
SQL, pandas or date arithmetic as a traceback or a silently wrong result.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from sales_funnel.engine.db import Database
from sales_funnel.engine.i18n import InvalidInput, Message, _

# The dates a report or a plan may use. MariaDB's DATE and DATETIME hold years 1000 to 9999, and the reports
# compute past the dates they are given (the next day's midnight ends a period, Daily Payments goes to the end of
# the day's week, a plan's period ends months after its start): the last year is left as room below date.max.
EARLIEST_DATE = date(1000, 1, 1)
LATEST_DATE = date(9998, 12, 31)

# Sales Plan Target.target is a Float field: Frappe stores it as decimal(21,9), at most 12 digits before the point.
MAX_TARGET = 999_999_999_999.0


def check_company(db: Database, company: str | None) -> str:
	"""`company` when it is the name of a Company, else InvalidInput (none chosen, or no such company)."""
	if not company or not isinstance(company, str):
		raise InvalidInput(Message(_("Choose a Company.")))
	if not db.sql("SELECT name FROM `tabCompany` WHERE name = %s", (company,)):
		raise InvalidInput(Message(_("Company {0} does not exist."), (company,)))
	return company


def check_date(day: date | None, label: str) -> date:
	"""`day` when a report can compute with it; `label` names the field in the message (an `_()` text)."""
	if not isinstance(day, date):
		raise InvalidInput(Message(_("Set the {0}."), (label,)))
	if not EARLIEST_DATE <= day <= LATEST_DATE:
		raise InvalidInput(
			Message(
				_("{0} {1} is out of range: use a date from {2} to {3}."),
				(label, day.isoformat(), EARLIEST_DATE.isoformat(), LATEST_DATE.isoformat()),
			)
		)
	return day


def name_list(value: Any, label: str) -> tuple[str, ...] | None:
	"""A list of names given as a list or tuple (None for "no restriction"); a bare text, a number or a list of
	anything but non-empty texts is InvalidInput: iterating a text would give its letters."""
	if value is None:
		return None
	if isinstance(value, str | bytes) or not isinstance(value, Sequence | set | frozenset):
		raise InvalidInput(Message(_("{0} must be a list of names, not {1}."), (label, _describe(value))))
	names = tuple(value)
	for name in names:
		if not isinstance(name, str) or not name:
			raise InvalidInput(Message(_("{0} must be a list of names, not {1}."), (label, _describe(value))))
	return names


def check_known(names: Iterable[str], known: Iterable[str], doctype_label: str) -> None:
	"""Every name is one of `known`, else InvalidInput naming the first that is not."""
	known = set(known)
	for name in names:
		if name not in known:
			raise InvalidInput(Message(_("{0} {1} does not exist."), (doctype_label, name)))


def real_number(value: Any) -> float | None:
	"""`value` as a finite float, or None when it is not one (NaN, infinite, not a number)."""
	if isinstance(value, bool):
		return None
	try:
		number = float(value)
	except (TypeError, ValueError, OverflowError):
		return None
	return number if math.isfinite(number) else None


def _describe(value: Any) -> str:
	text = repr(value)
	return text if len(text) <= 60 else text[:57] + "..."


__all__ = [
	"EARLIEST_DATE",
	"LATEST_DATE",
	"MAX_TARGET",
	"check_company",
	"check_date",
	"check_known",
	"name_list",
	"real_number",
]

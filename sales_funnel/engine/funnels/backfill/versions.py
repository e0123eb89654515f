"""Frappe's `Version` rows of an Opportunity, as the backfill reads them.

`Version.data` is the JSON of `frappe.core.doctype.version.version.get_diff`:
``{"added": [[table_field, row_dict], ...], "changed": [[fieldname, old, new], ...], "data_import": …,
"removed": [...], "row_changed": [[table_field, index, row_name, [[field, old, new], ...]], ...],
"updater_reference": …}``; a Version written on insert (only with an `updater_reference`) holds
``{"created_by", "creation", "updater_reference"}`` instead. Values are formatted strings; an empty value is null
(or "").

Status values in Version data are formatted: from Frappe 16 (and v15 builds carrying frappe/frappe#24951)
`format_value` translates Select values into the saving user's language. `status_aliases` maps such translations
back.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

Change = tuple[str, Any, Any]


def load_version(data: Any) -> dict[str, Any] | None:
	"""A Version's `data` parsed; None for anything that is not a JSON object."""
	if isinstance(data, bytes | bytearray):
		data = data.decode("utf-8", errors="replace")
	if not isinstance(data, str) or not data.strip():
		return None
	try:
		parsed = json.loads(data)
	except (ValueError, RecursionError):
		return None
	return parsed if isinstance(parsed, dict) else None


def version_changes(parsed: Mapping[str, Any] | None) -> list[Change]:
	"""The (fieldname, old, new) changes of parsed Version data."""
	if not parsed:
		return []
	changed = parsed.get("changed")
	if not isinstance(changed, list):
		return []
	return [
		(entry[0], entry[1], entry[2])
		for entry in changed
		if isinstance(entry, list | tuple) and len(entry) == 3 and isinstance(entry[0], str)
	]


def parse_version_data(data: str | bytes | None) -> list[Change]:
	"""The (fieldname, old, new) changes of a Version's `data`; [] for anything that is not Frappe's diff JSON."""
	return version_changes(load_version(data))


def added_lost_reasons(data: str | bytes | None) -> list[str]:
	"""Lost reasons in the `lost_reasons` rows a Version added (ERPNext's Declare Lost), in order."""
	return lost_reasons_added(load_version(data))


def lost_reasons_added(parsed: Mapping[str, Any] | None) -> list[str]:
	"""`added_lost_reasons` of parsed Version data."""
	if not parsed or not isinstance(parsed.get("added"), list):
		return []
	reasons = []
	for entry in parsed["added"]:
		if (
			isinstance(entry, list | tuple)
			and len(entry) == 2
			and entry[0] == "lost_reasons"
			and isinstance(entry[1], dict)
			and entry[1].get("lost_reason")
		):
			reasons.append(str(entry[1]["lost_reason"]))
	return reasons


def status_aliases(pairs: Iterable[tuple[str, str]]) -> dict[str, str]:
	"""Map (shown text, status) pairs, e.g. each status translated into each language in use, to a lookup
	from text to status. A text that stands for two different statuses is dropped as ambiguous."""
	aliases: dict[str, str] = {}
	ambiguous: set[str] = set()
	for text, status in pairs:
		if not text or text == status:
			continue
		if aliases.get(text, status) != status:
			ambiguous.add(text)
		aliases[text] = status
	return {text: status for text, status in aliases.items() if text not in ambiguous}

"""SQL fragments every engine package uses. Values always travel as parameters; these helpers only write the
`%(name)s` placeholders and put the values into the parameter dict."""

from collections.abc import Iterable
from typing import Any


def in_list(prefix: str, values: Iterable[Any], params: dict[str, Any], empty: str = "NULL") -> str:
	"""`%(p0)s, %(p1)s, ...` for an `IN (...)` list, each value put in `params` under `prefix` + its index.

	An empty list gives `empty` (default `NULL`, so `x IN (NULL)` matches nothing and the SQL stays valid)."""
	keys = []
	for index, value in enumerate(values):
		key = f"{prefix}{index}"
		params[key] = value
		keys.append(f"%({key})s")
	return ", ".join(keys) if keys else empty

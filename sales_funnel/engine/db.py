"""The engine's only door to data: a `db` port with Frappe's `db.sql` contract.

On a bench the port is `frappe.db`; off a bench (tests, benchmarks, the demo) it is `devkit.mariadb.MariaDB`, a
PyMySQL adapter that behaves the way `frappe.db.sql` does for what the engine uses: `%(name)s` / `%s`
parameters, tuples of tuples by default, a list of `frappe._dict` rows with `as_dict=True`, DECIMAL columns
converted to float (Frappe's CONVERSION_MAP).

A `frappe._dict` row answers None for any attribute it lacks, so numpy and pandas take it for an array-like
(`__array_struct__` is None) and `pd.DataFrame(rows, columns=...)` raises "invalid __array_struct__".
Build frames from such rows with `sales_funnel.engine.frames`, never by handing the rows to pandas.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol

Values = Mapping[str, Any] | Sequence[Any] | None


class Database(Protocol):
	"""What the engine may call. `frappe.db` satisfies it."""

	def sql(self, query: str, values: Values = None, as_dict: bool = False) -> Any: ...

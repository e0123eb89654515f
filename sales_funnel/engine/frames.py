"""DataFrames from the rows of `db.sql(..., as_dict=True)`.

On a bench those rows are `frappe._dict` (here `db.Row`, a copy of it), which answers None for any attribute it
lacks. pandas and numpy take such a row for an array-like (its `ndim` and `__array_struct__` are None), so
`pd.DataFrame(rows)` and `pd.DataFrame(rows, columns=...)` raise "ValueError: invalid __array_struct__", and so
does `np.array(rows)`. Every frame of query rows is built here instead: the rows become tuples of the columns
(`operator.itemgetter`, no Python code per row), and pandas builds the frame from the tuples exactly as it did
from plain dicts (same columns, dtypes and values).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from operator import itemgetter
from typing import Any

import pandas as pd


def rows_frame(rows: Sequence[Mapping[str, Any]], columns: Sequence[str] | None = None) -> pd.DataFrame:
	"""`pd.DataFrame(rows, columns=columns)` for rows of one query (dicts, `frappe._dict` or `db.Row`).

	`columns`: the frame's columns, in this order, each a key of every row (a missing key is a KeyError, not a
	column of NaN); None for the keys of the first row, as pandas takes them from rows that share their keys.
	No rows give an empty frame with these columns (none when `columns` is None)."""
	if not rows:
		return pd.DataFrame([], columns=None if columns is None else list(columns))
	columns = list(rows[0]) if columns is None else list(columns)
	if not columns:
		return pd.DataFrame(index=range(len(rows)))
	if len(columns) == 1:  # itemgetter of one key gives the value, not a 1-tuple
		values = list(zip(map(itemgetter(columns[0]), rows)))
	else:
		values = list(map(itemgetter(*columns), rows))
	return pd.DataFrame(values, columns=columns)

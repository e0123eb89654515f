"""The adapter's rows are what `frappe.db.sql(..., as_dict=True)` returns on a bench: `frappe._dict`s, which
answer None for any attribute and so break pandas; `frames.rows_frame` builds frames from them."""

from __future__ import annotations

import copy
import pickle
from datetime import date, datetime

import pandas as pd
import pytest

from devkit.mariadb import Row
from sales_funnel.engine.frames import rows_frame


def fair_rows(db) -> list[Row]:
	db.sql("INSERT INTO `tabUTM Source` (name, description) VALUES (%s, %s)", ("Fair", "x"))
	return db.sql("SELECT name, description FROM `tabUTM Source` WHERE name = %s", ("Fair",), as_dict=True)


def test_as_dict_rows_are_frappe_dicts(db):
	rows = fair_rows(db)
	assert isinstance(rows, list) and len(rows) == 1
	row = rows[0]
	assert type(row) is Row and isinstance(row, dict)
	assert row == {"name": "Fair", "description": "x"}
	assert row.name == "Fair" and row.description == "x" and row["name"] == "Fair"
	assert row.no_such_column is None  # any attribute answers: no AttributeError
	assert row.__array_struct__ is None  # what makes numpy and pandas take the row for an array-like
	assert list(row) == ["name", "description"]  # the columns in SELECT order


def test_rows_can_be_changed_copied_and_pickled_as_frappe_dicts(db):
	row = fair_rows(db)[0]
	row.extra = 1
	assert row["extra"] == 1
	del row.extra
	assert "extra" not in row
	assert row.update(more=2) is row and row.more == 2
	for other in (row.copy(), copy.copy(row), copy.deepcopy(row), pickle.loads(pickle.dumps(row))):
		assert type(other) is Row and other == row and other is not row


def test_as_dict_follows_frappe_for_empty_results_and_repeated_labels(db):
	assert db.sql("SELECT name FROM `tabUTM Source` WHERE 1 = 0", as_dict=True) == []
	assert db.sql("SELECT 1 AS a, 2 AS a", as_dict=True) == [{"a": 2}]  # zip into a dict: the last one wins
	# a statement without a result set gives (), as_dict or not
	assert db.sql("UPDATE `tabUTM Source` SET description = 'y' WHERE 1 = 0", as_dict=True) == ()


def test_pandas_cannot_take_such_rows_but_rows_frame_can(db):
	rows = fair_rows(db)
	with pytest.raises(ValueError, match="__array_struct__"):
		pd.DataFrame(rows, columns=["name", "description"])
	frame = rows_frame(rows, ["description", "name"])
	pd.testing.assert_frame_equal(
		frame, pd.DataFrame([{"name": "Fair", "description": "x"}])[["description", "name"]]
	)


VALUES = [
	{
		"who": "a@x",
		"n": 3,
		"amount": 1.5,
		"at": datetime(2026, 3, 2, 9),
		"on": date(2026, 3, 2),
		"note": None,
	},
	{"who": None, "n": 4, "amount": None, "at": None, "on": None, "note": None},
]


@pytest.mark.parametrize(
	"columns",
	[None, ["who", "n", "amount", "at", "on", "note"], ["note", "at", "n"], ["amount"]],
	ids=["keys", "all", "reordered", "one"],
)
def test_rows_frame_is_the_frame_pandas_makes_of_plain_dicts(columns):
	expected = pd.DataFrame(VALUES, columns=columns)
	for rows in ([Row(r) for r in VALUES], VALUES):
		frame = rows_frame(rows, columns)
		pd.testing.assert_frame_equal(frame, expected, check_exact=True)
		assert list(frame.dtypes) == list(expected.dtypes)


def test_rows_frame_without_rows_has_the_columns():
	pd.testing.assert_frame_equal(rows_frame([], ["a", "b"]), pd.DataFrame([], columns=["a", "b"]))
	pd.testing.assert_frame_equal(rows_frame(()), pd.DataFrame([]))


def test_rows_frame_wants_every_column_in_every_row():
	with pytest.raises(KeyError):
		rows_frame([Row(a=1)], ["a", "b"])

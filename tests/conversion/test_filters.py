"""The Stage Conversion filters: what the report's filter values become (the mapping the Frappe layer relies on),
and what the engine refuses with a message."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest

from sales_funnel.engine.conversion.filters import (
	SLICE_LABELS,
	ConversionFilters,
	conversion_filters,
	slice_key,
)
from sales_funnel.engine.conversion.query import SLICES
from sales_funnel.engine.conversion.report import stage_conversion
from sales_funnel.engine.i18n import InvalidInput

NOW = datetime(2026, 11, 1, 18)
COMPANY = "Demo Trading"
PERIOD = {"from_date": date(2026, 4, 1), "to_date": date(2026, 6, 30)}


def test_filters_map_the_report_values_to_the_engine():
	filters = conversion_filters(
		{
			"from_date": date(2026, 1, 1),
			"to_date": date(2026, 1, 31),
			"company": "C",
			"funnel": "",
			"mode": "Activity",
			"slice_by": "Lead Temperature",
			"compare_previous": "1",
		}
	)
	assert filters == ConversionFilters(
		from_date=date(2026, 1, 1),
		to_date=date(2026, 1, 31),
		company="C",
		funnel=None,
		mode="activity",
		slice_by="temperature",
		compare_previous=True,
	)
	assert conversion_filters({**PERIOD, "mode": None}).mode == "cohort"
	assert conversion_filters({**PERIOD, "mode": "Cohort"}).mode == "cohort"


@pytest.mark.parametrize("value, expected", [(0, False), (1, True), ("0", False), ("1", True), ("", False),
	(None, False), (True, True)])  # fmt: skip
def test_compare_previous_reads_check_values(value, expected):
	assert conversion_filters({**PERIOD, "compare_previous": value}).compare_previous is expected


def test_every_slice_label_and_key_maps_to_its_key():
	for key, label in SLICE_LABELS.items():
		assert slice_key(label) == key
		assert slice_key(key) == key
	assert set(SLICE_LABELS) == set(SLICES)
	assert slice_key("") is None and slice_key(None) is None


def test_unknown_mode_or_slice_is_refused_by_the_engine_with_a_message(demo_db):
	for raw in ({"mode": "Weekly"}, {"slice_by": "Colour"}):
		with pytest.raises(InvalidInput) as caught:
			stage_conversion(demo_db, conversion_filters({"company": COMPANY, **PERIOD, **raw}), now=NOW)
		assert caught.value.message.template  # the Frappe layer translates and throws it


def test_report_script_offers_every_slice_label_and_mode():
	"""The .js filter values are what `conversion_filters` maps; a renamed label would silently stop slicing."""
	script = (
		Path(__file__).resolve().parents[2]
		/ "sales_funnel/sales_funnel/report/stage_conversion/stage_conversion.js"
	).read_text()
	for label in [*SLICE_LABELS.values(), "Cohort", "Activity"]:
		assert f'{{ value: "{label}", label: __("{label}") }}' in script, label
	assert conversion_filters({**PERIOD, "mode": "Activity"}).mode == "activity"

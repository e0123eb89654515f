"""Laws of the Stage Conversion report, on random histories recorded through the real planning code."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sales_funnel.engine.conversion.filters import ConversionFilters
from sales_funnel.engine.conversion.report import stage_conversion
from sales_funnel.engine.conversion.stages import WHOLE
from sales_funnel.engine.funnels.stages import Stage
from tests.builders import history, make_funnel

STAGES = (
	Stage("P1", "Open", 10, 50, 3),
	Stage("P2", "Open", 20, 50, 5),
	Stage("P3", "Open", 40, 50, 0),
	Stage("P4", "Open", 70, 50, 10),
	Stage("PW", "Won", 100),
	Stage("PL", "Lost"),
	Stage("PL2", "Lost"),
)
NAMES = [s.stage for s in STAGES]
START = datetime(2026, 5, 1)
NOW = datetime(2026, 8, 1)

deal = st.fixed_dictionaries(
	{
		"owner": st.sampled_from(["a@x", "b@x", "c@x"]),
		"temperature": st.sampled_from(["Cold", "Warm", "Hot", None]),
		"start_hours": st.integers(0, 24 * 60),
		"moves": st.lists(st.tuples(st.sampled_from(NAMES), st.integers(1, 24 * 20)), min_size=1, max_size=8),
	}
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(deals=st.lists(deal, min_size=1, max_size=12), mode=st.sampled_from(["cohort", "activity"]))
def test_conversion_laws(db, deals, mode):
	name = f"prop-{uuid.uuid4().hex[:8]}"
	funnel = make_funnel(db, name, STAGES)
	for number, spec in enumerate(deals):
		at = START + timedelta(hours=spec["start_hours"])
		moves = []
		for stage, gap in spec["moves"]:
			moves.append((at, stage))
			at += timedelta(hours=gap)
		moves = [(t, s) for t, s in moves if t <= NOW] or [(START, NAMES[0])]
		history(db, funnel, f"{name}-{number}", moves, owner=spec["owner"], temperature=spec["temperature"])
	for slice_by in (None, "manager", "temperature"):
		filters = ConversionFilters(
			date(2026, 5, 1), date(2026, 6, 30), funnel=name, mode=mode, slice_by=slice_by
		)
		result = stage_conversion(db, filters, NOW)
		for key, part in result.stages.groupby("slice"):
			entered = part.sort_values("position")["entered"].tolist()
			assert entered == sorted(entered, reverse=True), (key, entered)  # never rises down the funnel
			if mode == "cohort":
				for column in ("conversion_to_next", "conversion_from_entry"):
					values = part[column].dropna()
					assert ((values >= 0) & (values <= 100)).all(), (key, column, values.tolist())
			assert (part["open"] >= part["stale"]).all()
		total = result.totals.set_index("slice")
		assert total.loc[WHOLE, "won"] <= max(total.loc[WHOLE, "entered"], result.whole()["entered"].max())
		if slice_by:
			whole = result.stages[result.stages["slice"] == WHOLE].set_index("stage")
			parts = result.stages[result.stages["slice"] != WHOLE].groupby("stage")
			for column in ("entered", "lost", "open", "stale"):
				assert (
					parts[column].sum().reindex(whole.index, fill_value=0).tolist() == whole[column].tolist()
				)
			for column in ("entered", "won", "lost", "open"):
				assert total.drop(index=WHOLE)[column].sum() == total.loc[WHOLE, column]

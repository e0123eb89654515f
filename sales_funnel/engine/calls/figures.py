"""The Call Outcomes report's figures from the counts of `query.py`: per (manager, period), per manager over the
whole range and in total, with the derived ratios (share of calls with an outcome, negotiations per 10 calls)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from sales_funnel.engine.calls.filters import NOT_SET, CallFilters
from sales_funnel.engine.calls.query import COUNT_COLUMNS

REPORT_COLUMNS = [
	"manager", "period", "calls", "incoming", "outgoing", "answered", "with_outcome", "without_outcome",
	"outcome_pct", "negotiations", "negotiations_per_10", "meetings", "deals", "won",
]  # fmt: skip
SUMMED = [*COUNT_COLUMNS, "deals", "won"]


@dataclass
class CallOutcomeResult:
	filters: CallFilters
	rows: pd.DataFrame  # one row per (manager, period), REPORT_COLUMNS
	managers: pd.DataFrame  # one row per manager over the whole range (period = None)
	total: dict[str, Any] = field(default_factory=dict)


def outcome_figures(filters: CallFilters, calls: pd.DataFrame, deals: pd.DataFrame) -> CallOutcomeResult:
	"""Calls and deals per (manager, period) merged, per manager, and the total."""
	keys = ["manager", "period"]
	rows = calls.merge(deals, on=keys, how="outer")
	rows[SUMMED] = rows[SUMMED].apply(pd.to_numeric).fillna(0)
	rows = rows.groupby(keys, as_index=False)[SUMMED].sum()  # (a case-only difference in a user name)
	rows = _finish(rows)
	managers = _finish(rows.groupby("manager", as_index=False)[SUMMED].sum().assign(period=None))
	total_frame = _finish(rows[SUMMED].sum().to_frame().T.assign(manager=None, period=None))
	total = total_frame.iloc[0].to_dict() if len(rows) else dict.fromkeys(REPORT_COLUMNS, 0)
	return CallOutcomeResult(filters, rows, managers, total)


def _finish(frame: pd.DataFrame) -> pd.DataFrame:
	"""Integer counts, the derived ratios, (not set) for calls without a manager, sorted."""
	frame = frame.copy()
	frame[SUMMED] = frame[SUMMED].astype(int)
	frame["without_outcome"] = frame["calls"] - frame["with_outcome"]
	calls = frame["calls"].where(frame["calls"] > 0)
	frame["outcome_pct"] = (100.0 * frame["with_outcome"] / calls).round(1).fillna(0.0)
	frame["negotiations_per_10"] = (10.0 * frame["negotiations"] / calls).round(1).fillna(0.0)
	frame["manager"] = frame["manager"].map(lambda m: m or NOT_SET if m is not None else None)
	if frame["period"].notna().any():
		frame["period"] = pd.to_datetime(frame["period"]).dt.date
	frame["nobody"] = frame["manager"] == NOT_SET  # calls without a manager come last
	frame = frame.sort_values(["nobody", "manager", "period"], na_position="last")
	return frame[REPORT_COLUMNS].reset_index(drop=True)

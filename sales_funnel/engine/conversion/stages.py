"""The Stage Conversion report's figures per stage and per slice, derived in pandas from the grouped rows of
`query.py` (and the Call Received row's counts of `call_received.py`).

- a deal *entered* stage k when one of its rows crossed k (`progress_from < k <= progress_to`);
- it *moved on* from k when it entered k+1; *won* is entering the Won stage, and the Won Amount and the average
  funnel days come from that row: a deal won, reopened (a cancelled payment steps it back) and won again is won
  once;
- *lost at k*, *open at k* and *stale at k* come from each deal's latest row (activity mode: open and stale as of
  `now`, from the snapshot);
- the medians come from histograms of the time in stage (and of the funnel length of won deals).

Slices use the deal's attributes as it entered the funnel, so every deal is in exactly one slice and the slices
add up to the whole (`WHOLE`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from sales_funnel.engine.conversion.call_received import CALL_KIND, CALL_RECEIVED, CALL_SLICES
from sales_funnel.engine.conversion.filters import ConversionFilters
from sales_funnel.engine.funnels.stages import Funnel, Stage
from sales_funnel.engine.i18n import _

NOT_SET = _("(not set)")
TOP_LOST_REASONS = 3
WHOLE = "__all__"


@dataclass
class ConversionResult:
	funnel: Funnel
	filters: ConversionFilters
	stages: pd.DataFrame  # one row per (slice, stage); slice == WHOLE for the whole funnel
	totals: pd.DataFrame  # one row per slice
	previous_stages: pd.DataFrame | None = None
	previous_totals: pd.DataFrame | None = None
	extra: dict[str, Any] = field(default_factory=dict)

	def whole(self) -> pd.DataFrame:
		return self.stages[self.stages["slice"] == WHOLE].reset_index(drop=True)

	def total(self, slice_value: str = WHOLE) -> dict[str, Any]:
		row = self.totals[self.totals["slice"] == slice_value]
		return row.iloc[0].to_dict() if len(row) else {}


@dataclass
class _Slice:
	"""One slice's rows of one period, and what every stage's figures read from them."""

	rows: pd.DataFrame  # grouped transition rows
	stays: pd.DataFrame  # histograms of the time in stage ("stay") and of the funnel length ("length")
	entered: dict[int, int]  # position -> deals that entered it
	lost: pd.DataFrame  # rows that lost a deal (in cohort mode only the deal's latest)
	open_by: pd.Series  # position -> deals open there
	stale_by: pd.Series  # position -> of those, the stale ones


def weighted_median(values: np.ndarray, weights: np.ndarray) -> float | None:
	"""The median of a multiset given as distinct values and their counts (mean of the two middle ones)."""
	total = int(weights.sum())
	if total == 0:
		return None
	order = np.argsort(values)
	values, cumulative = values[order], np.cumsum(weights[order])
	low = values[np.searchsorted(cumulative, (total - 1) // 2 + 1)]
	high = values[np.searchsorted(cumulative, total // 2 + 1)]
	return float(low + high) / 2


def _normalise_slice(frame: pd.DataFrame) -> pd.DataFrame:
	frame = frame.copy()
	frame["slice"] = frame["slice"].map(lambda v: NOT_SET if v is None or v == "" else str(v))
	return frame


def _of(frame: pd.DataFrame, key: str) -> pd.DataFrame:
	"""The rows of slice `key` (all of them for the whole funnel)."""
	return frame if key == WHOLE else frame[frame["slice"] == key]


def shape_stages(
	funnel: Funnel,
	filters: ConversionFilters,
	grouped: pd.DataFrame,
	durations: pd.DataFrame,
	snapshot: pd.DataFrame | None,
	period: int,
	calls: pd.DataFrame | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
	"""The stage rows and the totals of one period (1 this, 0 the previous), the whole funnel and each slice."""
	grouped = _normalise_slice(grouped)
	rows = grouped[grouped["period"] == period]
	stays = _normalise_slice(durations[durations["period"] == period])
	snap = _normalise_slice(snapshot) if snapshot is not None else None
	call_part = None if calls is None else _normalise_slice(calls[calls["period"] == period])
	sliced_calls = call_part is not None and filters.slice_by in CALL_SLICES
	keys = [WHOLE] + (
		sorted(
			set(grouped["slice"])
			| set(snap["slice"] if snap is not None else [])
			| set(call_part["slice"] if sliced_calls else [])
		)
		if filters.slice_by
		else []
	)
	stage_rows: list[dict[str, Any]] = []
	total_rows: list[dict[str, Any]] = []
	for key in keys:
		part_snap = None if snap is None else _of(snap, key)
		stages, totals = _shape_one(funnel, filters, _of(rows, key), _of(stays, key), part_snap)
		if call_part is not None and (key == WHOLE or sliced_calls):
			call_row = _call_row(_of(call_part, key))
			stages = [call_row, *stages]
			totals["calls"] = call_row["entered"]
			totals["call_conversion"] = call_row["conversion_to_next"]
		stage_rows += [{**row, "slice": key} for row in stages]
		total_rows.append({**totals, "slice": key})
	return pd.DataFrame(stage_rows), pd.DataFrame(total_rows)


def _shape_one(
	funnel: Funnel,
	filters: ConversionFilters,
	rows: pd.DataFrame,
	stays: pd.DataFrame,
	snapshot: pd.DataFrame | None,
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
	"""One slice's stage rows (in funnel order) and its totals."""
	won = len(funnel.progress_stages)
	part = _slice(filters, rows, stays, snapshot, won)
	recorded = rows[rows["legacy"] == 0]
	left = recorded[recorded["from_position"] > 0].groupby("from_position")[["days", "n"]].sum()
	stay_hist = stays[stays["what"] == "stay"]
	out = [
		_stage_row(part, k, stage, won, left, stay_hist)
		for k, stage in enumerate(funnel.progress_stages, start=1)
	]
	return out, _totals(filters, part, won)


def _slice(
	filters: ConversionFilters,
	rows: pd.DataFrame,
	stays: pd.DataFrame,
	snapshot: pd.DataFrame | None,
	won: int,
) -> _Slice:
	p_from, p_to, n = (rows[c].to_numpy() for c in ("progress_from", "progress_to", "n"))
	entered = {k: int(n[(p_from < k) & (k <= p_to)].sum()) for k in range(1, won + 1)}
	lost_rows = rows[rows["to_position"] == -1]
	if filters.mode == "cohort":
		lost_rows = lost_rows[lost_rows["is_latest"] == 1]
	if snapshot is None:
		open_rows = rows[(rows["is_latest"] == 1) & (rows["to_position"] >= 1) & (rows["to_position"] < won)]
		open_by, stale_by = (open_rows.groupby("to_position")[c].sum() for c in ("n", "stale"))
	else:
		open_by, stale_by = (snapshot.groupby("to_position")[c].sum() for c in ("n", "stale"))
	return _Slice(rows, stays, entered, lost_rows, open_by, stale_by)


def _stage_row(
	part: _Slice, k: int, stage: Stage, won: int, left: pd.DataFrame, stay_hist: pd.DataFrame
) -> dict[str, Any]:
	"""The figures of the stage at position `k`; `left`: days and stays of the rows that left each position."""
	entered = part.entered
	is_won = k == won
	moved_on = None if is_won else entered.get(k + 1, 0)
	lost_here = part.lost[part.lost["from_position"] == k]
	reasons = (
		lost_here.groupby(lost_here["lost_reason"].fillna(NOT_SET))["n"].sum().sort_values(ascending=False)
	)
	days_total = float(left["days"].get(k, 0.0))
	stays_count = int(left["n"].get(k, 0))
	conversion = None if is_won else _pct(moved_on, entered[k])
	target = stage.target_conversion if (not is_won and stage.target_conversion) else None
	return {
		"position": k,
		"stage": stage.stage,
		"kind": stage.kind,
		"entered": entered[k],
		"moved_on": moved_on,
		"conversion_to_next": conversion,
		"conversion_from_entry": _pct(entered[k], entered.get(1, 0)),
		"target_conversion": target,
		"gap": None if conversion is None or target is None else round(conversion - target, 2),
		"lost": int(lost_here["n"].sum()),
		"top_lost_reasons": ", ".join(f"{r} ({int(c)})" for r, c in reasons.head(TOP_LOST_REASONS).items()),
		"open": int(part.open_by.get(k, 0)),
		"stale": int(part.stale_by.get(k, 0)),
		"time_limit_days": stage.time_limit_days or None,
		"avg_days": round(days_total / stays_count, 2) if stays_count else None,
		"median_days": _median_days(stay_hist[stay_hist["position"] == k]),
	}


def _totals(filters: ConversionFilters, part: _Slice, won: int) -> dict[str, Any]:
	rows, entered = part.rows, part.entered
	# a deal's win is the row with which it entered Won, as the Won count has it: a deal reopened after its win (a
	# cancelled payment steps it back) and won again is one win, with one amount and one time to win
	won_rows = rows[(rows["to_position"] == won) & (rows["progress_from"] < won)]
	timed_wins = int(won_rows.loc[won_rows["legacy"] == 0, "n"].sum())
	entry_rows = rows[(rows["from_position"] == 0) & (rows["progress_from"] == 0) | (rows["legacy"] == 1)]
	entries = int(entry_rows["n"].sum()) if filters.mode == "cohort" else entered.get(1, 0)
	return {
		"entered": entries,
		"won": entered.get(won, 0),
		"lost": int(part.lost["n"].sum()),
		"open": int(part.open_by.sum()),
		"stale": int(part.stale_by.sum()),
		"overall_conversion": _pct(entered.get(won, 0), entries),
		"avg_funnel_days": (
			round(float(won_rows["won_seconds"].sum()) / timed_wins / 86400, 2) if timed_wins else None
		),
		"median_funnel_days": _median_days(part.stays[part.stays["what"] == "length"]),
		"won_amount": round(float(won_rows["amount"].sum()), 2),
	}


def _call_row(calls: pd.DataFrame) -> dict[str, Any]:
	"""The Call Received row: calls that belong to the funnel, those that led to a deal of it (moved on) and
	those that led to none (lost). Open, stale and days do not apply to a call."""
	received, moved_on = int(calls["calls"].sum()), int(calls["moved_on"].sum())
	return {
		"position": 0,
		"stage": CALL_RECEIVED,
		"kind": CALL_KIND,
		"entered": received,
		"moved_on": moved_on,
		"conversion_to_next": _pct(moved_on, received),
		"conversion_from_entry": _pct(received, received),
		"target_conversion": None,
		"gap": None,
		"lost": received - moved_on,
		"top_lost_reasons": "",
		"open": None,
		"stale": None,
		"time_limit_days": None,
		"avg_days": None,
		"median_days": None,
	}


def _median_days(histogram: pd.DataFrame) -> float | None:
	if histogram.empty:
		return None
	median = weighted_median(histogram["seconds"].to_numpy(dtype=float), histogram["n"].to_numpy(dtype=float))
	return None if median is None else round(median / 86400, 2)


def _pct(part: float | None, whole: float | None) -> float | None:
	if part is None or not whole:
		return None
	return round(100.0 * part / whole, 2)

"""What the Stage Conversion report is asked for: the filters, parsed from the report's and checked, and the
periods they cover.

Cohort mode takes the deals that entered the funnel in the period and follows them to `now`; activity mode takes
the moves made in the period. Slices use the deal's attributes as it entered the funnel (`SLICE_LABELS`: the
slices there are), or whether a scheduled reassignment ever moved it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sales_funnel.engine.i18n import InvalidInput, Message, _
from sales_funnel.engine.inputs import EARLIEST_DATE, check_date

MODES = ("cohort", "activity")
# slice key -> its label in the report's Slice By filter (the query's SQL of each: `query.SLICES`)
SLICE_LABELS = {
	"manager": _("Manager"),
	"department": _("Department"),
	"territory": _("Territory"),
	"customer_group": _("Customer Group"),
	"channel": _("Channel"),
	"item_group": _("Item Group"),
	"customer_kind": _("New vs Existing Customer"),
	"temperature": _("Lead Temperature"),
	"reassigned": _("Reassigned or Not"),
}


@dataclass(frozen=True)
class ConversionFilters:
	from_date: date
	to_date: date
	funnel: str | None = None
	company: str | None = None
	mode: str = "cohort"
	slice_by: str | None = None
	compare_previous: bool = False


def conversion_filters(filters: Mapping[str, Any]) -> ConversionFilters:
	"""The engine's filters from the report's (its dates already parsed): mode "Cohort"/"Activity", slice_by a
	label of SLICE_LABELS (or a key), compare_previous a Check value (0/1, "0"/"1", bool). Unknown values pass
	through for `validate_filters` to reject with a message."""
	return ConversionFilters(
		from_date=filters.get("from_date"),
		to_date=filters.get("to_date"),
		company=filters.get("company") or None,
		funnel=filters.get("funnel") or None,
		mode=(filters.get("mode") or "cohort").strip().lower(),
		slice_by=slice_key(filters.get("slice_by")),
		compare_previous=_checked(filters.get("compare_previous", False)),
	)


def slice_key(value: str | None) -> str | None:
	if not value:
		return None
	if value in SLICE_LABELS:
		return value
	by_label = {label: key for key, label in SLICE_LABELS.items()}
	return by_label.get(value, value)


def _checked(value: Any) -> bool:
	if isinstance(value, str):
		value = value.strip()
		return value not in ("", "0") and value.lower() not in ("false", "no")
	return bool(value)


def validate_filters(filters: ConversionFilters) -> None:
	if filters.from_date is None or filters.to_date is None:
		raise InvalidInput(Message(_("Choose both a From Date and a To Date.")))
	check_date(filters.from_date, _("From Date"))
	check_date(filters.to_date, _("To Date"))
	if filters.from_date > filters.to_date:
		raise InvalidInput(
			Message(_("From Date {0} is after To Date {1}."), (filters.from_date, filters.to_date))
		)
	if filters.compare_previous:
		length = (filters.to_date - filters.from_date).days + 1
		if (filters.from_date - EARLIEST_DATE).days < length:
			raise InvalidInput(
				Message(
					_(
						"The previous period would start before {0}: choose a shorter period or a later From Date."
					),
					(EARLIEST_DATE.isoformat(),),
				)
			)
	if filters.mode not in MODES:
		raise InvalidInput(Message(_("Unknown mode {0}: use cohort or activity."), (filters.mode,)))
	if filters.slice_by and filters.slice_by not in SLICE_LABELS:
		raise InvalidInput(
			Message(
				_("Cannot slice by {0}. Choose one of: {1}."), (filters.slice_by, ", ".join(SLICE_LABELS))
			)
		)


def period_bounds(from_date: date, to_date: date) -> tuple[datetime, datetime]:
	"""[start, end) covering both dates whole, in the site's time zone (the one the datetimes are stored in)."""
	return datetime.combine(from_date, datetime.min.time()), datetime.combine(
		to_date + timedelta(days=1), datetime.min.time()
	)


def previous_period(from_date: date, to_date: date) -> tuple[date, date]:
	"""The period of the same length that ends the day before `from_date`."""
	length = (to_date - from_date).days + 1
	return from_date - timedelta(days=length), from_date - timedelta(days=1)

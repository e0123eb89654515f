"""The calls behind a cell of the Call Outcomes report (its drill-down dialog), newest first, with the recording
link (http(s) only) and the first linked deal."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from sales_funnel.engine.calls.filters import NOT_SET, CallFilters, CallScope, calls_where, validate_filters
from sales_funnel.engine.db import Database
from sales_funnel.engine.i18n import InvalidInput, Message, _

DRILLDOWN_LIMIT = 500
RECORDING_SCHEMES = ("http", "https")


def calls_drilldown(
	db: Database,
	filters: CallFilters,
	scope: CallScope | None = None,
	*,
	manager: str | None = None,
	outcome: str | None = None,
	negotiations_only: bool = False,
	without_outcome: bool = False,
	limit: int = DRILLDOWN_LIMIT,
) -> list[dict[str, Any]]:
	"""The calls behind a report cell, newest first, with the recording link and the first linked deal.

	`manager` "" or NOT_SET picks the calls without an employee."""
	validate_filters(filters)
	if limit <= 0 or limit > 10 * DRILLDOWN_LIMIT:
		raise InvalidInput(Message(_("Show between 1 and {0} calls."), (10 * DRILLDOWN_LIMIT,)))
	values: dict[str, Any] = {"limit": int(limit)}
	where = calls_where(filters, scope, values)
	if manager is not None:
		if manager in ("", NOT_SET):
			where += " AND IFNULL(c.employee_user_id, '') = ''"
		else:
			values["drill_manager"] = manager
			where += " AND c.employee_user_id = %(drill_manager)s"
	if outcome:
		values["drill_outcome"] = outcome
		where += " AND c.sf_outcome = %(drill_outcome)s"
	if without_outcome:
		where += " AND IFNULL(c.sf_outcome, '') = ''"
	if negotiations_only:
		where += (
			" AND c.sf_outcome IN (SELECT o.name FROM `tabCall Outcome` o WHERE o.counts_as_negotiation = 1)"
		)
	rows = db.sql(
		f"""SELECT c.name, c.start_time, c.`type`, c.status, c.duration, c.employee_user_id AS manager,
			c.sf_outcome AS outcome, c.sf_outcome_note AS note, c.recording_url,
			(SELECT dl.link_name FROM `tabDynamic Link` dl WHERE dl.parent = c.name AND dl.parenttype = 'Call Log'
				AND dl.link_doctype = 'Opportunity' ORDER BY dl.idx LIMIT 1) AS opportunity
		FROM `tabCall Log` c WHERE {where}
		ORDER BY c.start_time DESC, c.name DESC LIMIT %(limit)s""",
		values,
		as_dict=True,
	)
	for row in rows:
		row["recording_url"] = safe_recording_url(row["recording_url"])
	return rows


def safe_recording_url(url: str | None) -> str | None:
	"""The recording link if it is an absolute http(s) URL, else None: `recording_url` is free text that a
	telephony integration or a user wrote, and a `javascript:` or `data:` URL in a link runs in the Desk."""
	text = (url or "").strip()
	if not text or any(ord(char) < 33 or char in "\"'<>`\\" for char in text):
		return None
	try:
		parts = urlsplit(text)
	except ValueError:
		return None
	if parts.scheme.lower() not in RECORDING_SCHEMES or not parts.hostname:
		return None
	return text

"""The calls behind a Call Outcomes cell: recordings, deals, the drill-down's filters, unsafe recording links."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from sales_funnel.engine.calls.drilldown import calls_drilldown, safe_recording_url
from sales_funnel.engine.calls.filters import NOT_SET, CallFilters, CallScope
from sales_funnel.engine.i18n import InvalidInput
from tests.calls.builders import WEEK, A, B, call, seed


def test_drilldown_has_recordings_and_deals(db):
	seed(db)
	week = CallFilters(WEEK, WEEK + timedelta(days=6))
	negotiations = calls_drilldown(db, week, manager=B, negotiations_only=True)
	assert len(negotiations) == 8
	assert all(r["recording_url"].startswith("https://pbx.example/") for r in negotiations)
	assert {r["opportunity"] for r in negotiations} == {"OPP-B1", "OPP-B2", "OPP-B3", "OPP-OLD", None}
	assert len(calls_drilldown(db, week, manager=A, without_outcome=True)) == 3
	assert len(calls_drilldown(db, week, manager=NOT_SET)) == 1
	assert len(calls_drilldown(db, week, outcome="Meeting Booked")) == 2
	assert len(calls_drilldown(db, week, manager=A, limit=4)) == 4
	assert calls_drilldown(db, week, scope=CallScope(own_of=A), manager=B) == []
	with pytest.raises(InvalidInput):
		calls_drilldown(db, week, limit=0)


@pytest.mark.parametrize(
	("url", "safe"),
	[
		("https://pbx.example/rec/1.mp3", True),
		("HTTP://pbx.example/rec?id=1&x=2", True),
		("  https://pbx.example/a  ", True),
		("javascript:alert(1)", False),
		("JavaScript:alert(document.cookie)", False),
		(" javascript:alert(1)", False),
		("java\tscript:alert(1)", False),
		("data:text/html,<script>alert(1)</script>", False),
		("vbscript:msgbox(1)", False),
		("//pbx.example/rec.mp3", False),
		("/files/rec.mp3", False),
		("https://", False),
		('https://pbx.example/" onmouseover="alert(1)', False),
		("https://pbx.example/<script>", False),
		("ftp://pbx.example/rec.mp3", False),
		("https://[::1", False),
		("", False),
		(None, False),
	],
)
def test_only_http_recordings_are_links(url, safe):
	assert safe_recording_url(url) == (url.strip() if safe else None)


def test_drilldown_drops_unsafe_recordings(db):
	seed(db)
	day = datetime.combine(WEEK, datetime.min.time()) + timedelta(hours=9)
	bad = call(db, A, day, recording_url="javascript:alert(document.cookie)")
	good = call(db, A, day, recording_url="https://pbx.example/good.mp3")
	rows = {r["name"]: r for r in calls_drilldown(db, CallFilters(WEEK, WEEK), manager=A)}
	assert rows[bad]["recording_url"] is None
	assert rows[good]["recording_url"] == "https://pbx.example/good.mp3"

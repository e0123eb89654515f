"""Backfill of stage history from Opportunities and their Versions, on a real MariaDB.

The Versions are shaped exactly like Frappe v15 writes them (frappe/core/doctype/version/version.py,
`Version.set_diff` → `get_diff`, serialised by `frappe.as_json(diff, indent=None, separators=(",", ":"))`,
which sorts keys): ``{"added":[…],"changed":[[field,old,new],…],"data_import":null,"removed":[],
"row_changed":[],"updater_reference":null}``; values are formatted strings, empty values null.
"""

from __future__ import annotations

import itertools
import json
from datetime import datetime, timedelta
from typing import Any

import pytest

from sales_funnel.engine.funnels.backfill import plan as B
from sales_funnel.engine.funnels.backfill.versions import (
	added_lost_reasons,
	parse_version_data,
	status_aliases,
)
from sales_funnel.engine.funnels.history import SLICE_COLUMNS
from sales_funnel.engine.funnels.stages import Stage, load_funnel
from tests import builders
from tests.builders import write_transitions

T0 = datetime(2025, 1, 6, 9, 0, 0)
NOW = datetime(2025, 3, 1, 12, 0, 0)
COMPANY = "Test Co"
OTHER_COMPANY = "Other Co"
PROPOSAL, NEGOTIATION = "Proposal/Price Quote", "Negotiation/Review"


def day(n: float) -> datetime:
	return T0 + timedelta(days=n)


# ------------------------------------------------------------------------------------------ SQL helpers
def insert(db, doctype: str, **values: Any) -> None:
	"""One row, with the standard columns defaulted to `T0` and Administrator."""
	values.setdefault("creation", T0)
	values.setdefault("modified", values["creation"])
	values.setdefault("owner", "Administrator")
	values.setdefault("modified_by", values["owner"])
	builders.insert(db, doctype, [values])


def make_funnel(
	db, title: str, company: str, stages, *, is_default=0, customer_kind=None, priority=0
) -> None:
	"""A Sales Funnel with its stages: (stage, kind, probability)."""
	builders.make_funnel(
		db,
		title,
		[Stage(stage, kind, probability) for stage, kind, probability in stages],
		company,
		deal_doctype="Opportunity",
		is_default=is_default,
		customer_kind=customer_kind,
		priority=priority,
	)


STANDARD = [
	("Prospecting", "Open", 10),
	("Qualification", "Open", 20),
	(PROPOSAL, "Open", 40),
	(NEGOTIATION, "Open", 60),
	("Won", "Won", 100),
	("Lost", "Lost", 0),
]
KEY_ACCOUNTS = [
	("Qualification", "Open", 30),
	(PROPOSAL, "Open", 60),
	("Won", "Won", 100),
	("Lost", "Lost", 0),
]


def make_people(db) -> None:
	"""alice and bob sell in North Team (Sales Person tree: Sales Team > North Team > person)."""
	insert(db, "Sales Person", name="Sales Team", sales_person_name="Sales Team", is_group=1)
	insert(
		db,
		"Sales Person",
		name="North Team",
		sales_person_name="North Team",
		parent_sales_person="Sales Team",
		is_group=1,
	)
	for user, employee in (("alice@example.com", "HR-EMP-00001"), ("bob@example.com", "HR-EMP-00002")):
		insert(db, "Employee", name=employee, employee_name=user.split("@")[0].title(), user_id=user)
		insert(
			db,
			"Sales Person",
			name=user.split("@")[0].title(),
			sales_person_name=user.split("@")[0].title(),
			parent_sales_person="North Team",
			employee=employee,
		)


def make_opportunity(
	db,
	name: str,
	*,
	stage: str | None,
	status: str = "Open",
	modified: datetime | None = None,
	modified_by: str = "alice@example.com",
	funnel: str | None = "Standard",
	company: str = COMPANY,
	opportunity_from: str = "Lead",
	owner: str = "alice@example.com",
	items: tuple[tuple[str, float], ...] = (),
	lost_reasons: tuple[str, ...] = (),
) -> None:
	insert(
		db,
		"Opportunity",
		name=name,
		creation=T0,
		modified=modified or T0,
		owner=owner,
		modified_by=modified_by,
		opportunity_from=opportunity_from,
		party_name="CRM-LEAD-2025-00001" if opportunity_from == "Lead" else "Acme Ltd",
		status=status,
		sales_stage=stage,
		opportunity_owner=owner,
		company=company,
		source="Website",
		territory="Poland",
		customer_group="Commercial",
		opportunity_type="Sales",
		base_opportunity_amount=1200.0,
		opportunity_amount=1200.0,
		sf_sales_funnel=funnel,
		sf_temperature="Hot",
	)
	for idx, (group, amount) in enumerate(items, start=1):
		insert(
			db,
			"Opportunity Item",
			name=f"{name}-item-{idx}",
			parent=name,
			parenttype="Opportunity",
			parentfield="items",
			idx=idx,
			item_group=group,
			amount=amount,
			base_amount=amount,
		)
	for idx, reason in enumerate(lost_reasons, start=1):
		if not db.sql("SELECT 1 FROM `tabOpportunity Lost Reason` WHERE name = %(r)s", {"r": reason}):
			insert(db, "Opportunity Lost Reason", name=reason, lost_reason=reason)
		insert(
			db,
			"Opportunity Lost Reason Detail",
			name=f"{name}-lost-{idx}",
			parent=name,
			parenttype="Opportunity",
			parentfield="lost_reasons",
			idx=idx,
			lost_reason=reason,
		)


def diff_json(changed=(), added=(), removed=(), row_changed=()) -> str:
	"""`Version.data` as `frappe.as_json(get_diff(old, new), indent=None, separators=(",", ":"))` writes it."""
	diff = {
		"changed": [list(c) for c in changed],
		"added": [list(a) for a in added],
		"removed": list(removed),
		"row_changed": list(row_changed),
		"data_import": None,
		"updater_reference": None,
	}
	return json.dumps(diff, indent=None, sort_keys=True, separators=(",", ":"))


_version_count = 0


def make_version(db, docname: str, at: datetime, by: str, data: str) -> None:
	global _version_count
	_version_count += 1
	insert(
		db,
		"Version",
		name=f"v{_version_count:09x}",  # Version autoname: hash
		creation=at,
		modified=at,
		owner=by,
		ref_doctype="Opportunity",
		docname=docname,
		data=data,
	)


def lost_row(deal: str, reason: str, at: datetime, by: str) -> list:
	"""An `added` entry as `get_diff` records a new child row: [table_fieldname, row.as_dict()]."""
	return [
		"lost_reasons",
		{
			"creation": str(at),
			"docstatus": 0,
			"doctype": "Opportunity Lost Reason Detail",
			"idx": 1,
			"lost_reason": reason,
			"modified": str(at),
			"modified_by": by,
			"name": f"{deal}-lost-added",
			"owner": by,
			"parent": deal,
			"parentfield": "lost_reasons",
			"parenttype": "Opportunity",
		},
	]


def history_of(plan: B.BackfillPlan, deal: str) -> list[tuple]:
	return [
		(t.from_stage, t.to_stage, t.to_kind, t.transitioned_at, t.by_user, t.progress_from, t.progress_to)
		for t in plan.transitions_of(deal)
	]


# ------------------------------------------------------------------------------------------ the company
@pytest.fixture
def company(db):
	make_funnel(db, "Standard", COMPANY, STANDARD, is_default=1)
	make_funnel(db, "Key Accounts", COMPANY, KEY_ACCOUNTS, customer_kind="Existing", priority=5)
	make_people(db)

	# A: Prospecting → Qualification → Proposal, then declared lost (ERPNext's Declare Lost saves the status,
	# the detailed reason and the lost_reasons rows together)
	make_opportunity(
		db,
		"OPP-A",
		stage=PROPOSAL,
		status="Lost",
		modified=day(9),
		items=(("Hardware", 300.0), ("Services", 400.0), ("Hardware", 200.0)),
		lost_reasons=("Price",),
	)
	make_version(
		db,
		"OPP-A",
		day(0),
		"alice@example.com",
		json.dumps(
			{
				"created_by": "alice@example.com",
				"creation": str(T0),
				"updater_reference": {"doctype": "Lead"},
			},
			sort_keys=True,
			separators=(",", ":"),
		),
	)  # the for_insert shape: no changes
	make_version(
		db, "OPP-A", day(2), "alice@example.com", diff_json([("sales_stage", "Prospecting", "Qualification")])
	)
	make_version(
		db,
		"OPP-A",
		day(5),
		"bob@example.com",
		diff_json([("sales_stage", "Qualification", PROPOSAL), ("probability", "20.0%", "40.0%")]),
	)
	make_version(
		db,
		"OPP-A",
		day(9),
		"alice@example.com",
		diff_json(
			[("status", "Open", "Lost"), ("order_lost_reason", None, "Went with a cheaper offer")],
			added=[lost_row("OPP-A", "Price", day(9), "alice@example.com")],
		),
	)
	# B: skips Qualification
	make_opportunity(db, "OPP-B", stage=PROPOSAL, modified=day(1))
	make_version(
		db, "OPP-B", day(1), "alice@example.com", diff_json([("sales_stage", "Prospecting", PROPOSAL)])
	)
	# C: forward two stages, then back
	make_opportunity(db, "OPP-C", stage="Qualification", modified=day(3))
	make_version(
		db, "OPP-C", day(1), "alice@example.com", diff_json([("sales_stage", "Prospecting", NEGOTIATION)])
	)
	make_version(
		db, "OPP-C", day(3), "bob@example.com", diff_json([("sales_stage", NEGOTIATION, "Qualification")])
	)
	# D: converted (ERPNext sets Converted with db_set: no Version), for an existing customer
	make_opportunity(
		db,
		"OPP-D",
		stage=PROPOSAL,
		status="Converted",
		modified=day(6),
		modified_by="bob@example.com",
		opportunity_from="Customer",
	)
	make_version(
		db, "OPP-D", day(1), "alice@example.com", diff_json([("sales_stage", "Prospecting", PROPOSAL)])
	)
	make_version(db, "OPP-D", day(3), "alice@example.com", diff_json([("status", "Open", "Quotation")]))
	# E: no Versions at all (Track Changes off): enters in its current stage
	make_opportunity(db, "OPP-E", stage="Qualification", modified=day(4))
	# F: incomplete Versions: the move to Negotiation was never versioned
	make_opportunity(db, "OPP-F", stage=NEGOTIATION, modified=day(8), modified_by="bob@example.com")
	make_version(
		db, "OPP-F", day(1), "alice@example.com", diff_json([("sales_stage", "Prospecting", "Qualification")])
	)
	# G: one Version's data is not JSON
	make_opportunity(db, "OPP-G", stage=PROPOSAL, modified=day(2))
	make_version(db, "OPP-G", day(1), "alice@example.com", '{"changed":[["sales_stage","Prospecting","Qualif')
	make_version(
		db, "OPP-G", day(2), "alice@example.com", diff_json([("sales_stage", "Qualification", PROPOSAL)])
	)
	# H: already has history
	make_opportunity(db, "OPP-H", stage="Qualification", modified=day(2))
	make_version(
		db, "OPP-H", day(2), "alice@example.com", diff_json([("sales_stage", "Prospecting", "Qualification")])
	)
	insert(
		db,
		"Funnel Stage Transition",
		name=1,
		deal_doctype="Opportunity",
		deal="OPP-H",
		funnel="Standard",
		to_stage="Qualification",
		to_kind="Open",
		transitioned_at=day(2),
		recorded_via="Manual",
		progress_from=0,
		progress_to=2,
		is_latest=1,
		funnel_entered_at=day(2),
	)
	# I: no funnel yet, existing customer: the Key Accounts rule takes it
	make_opportunity(db, "OPP-I", stage="Qualification", funnel=None, opportunity_from="Customer")
	# J: no funnel, and its company has none
	make_opportunity(db, "OPP-J", stage="Qualification", funnel=None, company=OTHER_COMPANY)
	# K: lost, then reopened
	make_opportunity(db, "OPP-K", stage="Prospecting", modified=day(3), lost_reasons=("Timing",))
	make_version(
		db,
		"OPP-K",
		day(1),
		"alice@example.com",
		diff_json(
			[("status", "Open", "Lost")], added=[lost_row("OPP-K", "No budget", day(1), "alice@example.com")]
		),
	)
	make_version(db, "OPP-K", day(3), "bob@example.com", diff_json([("status", "Lost", "Open")]))
	return db


# ----------------------------------------------------------------------------------------------- tests
def test_parse_version_data():
	data = diff_json([("sales_stage", "Prospecting", "Qualification"), ("probability", "10.0%", "20.0%")])
	assert parse_version_data(data) == [
		("sales_stage", "Prospecting", "Qualification"),
		("probability", "10.0%", "20.0%"),
	]
	assert parse_version_data(diff_json([("status", None, "Open")])) == [("status", None, "Open")]
	for bad in (
		None,
		"",
		"   ",
		"{not json",
		'{"changed":[["sales_stage","A"',
		"[1, 2]",
		'"text"',
		b"\xff\xfe",
	):
		assert parse_version_data(bad) == []
	# entries that are not [field, old, new] are left out, the rest kept
	assert parse_version_data('{"changed":[["status","Open"],"x",[1,2,3],["status","Open","Lost"]]}') == [
		("status", "Open", "Lost")
	]
	insert_shape = '{"created_by":"a@example.com","creation":"2025-01-06 09:00:00","updater_reference":{}}'
	assert parse_version_data(insert_shape) == []
	added = diff_json([("status", "Open", "Lost")], added=[lost_row("X", "Price", T0, "a@example.com")])
	assert added_lost_reasons(added) == ["Price"]
	assert added_lost_reasons("{broken") == []


def test_status_aliases_drop_ambiguous_texts():
	pairs = [("Открыт", "Open"), ("Потерян", "Lost"), ("Zamknięte", "Closed"), ("Zamknięte", "Converted")]
	pairs += [("Open", "Open"), ("", "Lost")]
	assert status_aliases(pairs) == {"Открыт": "Open", "Потерян": "Lost"}


def test_backfill_rebuilds_history_from_versions(company):
	db = company
	plan = B.plan_backfill(db, NOW)

	assert history_of(plan, "OPP-A") == [
		(None, "Prospecting", "Open", T0, "alice@example.com", 0, 1),
		("Prospecting", "Qualification", "Open", day(2), "alice@example.com", 1, 2),
		("Qualification", PROPOSAL, "Open", day(5), "bob@example.com", 2, 3),
		(PROPOSAL, "Lost", "Lost", day(9), "alice@example.com", 3, 3),
	]
	rows = plan.transitions_of("OPP-A")
	assert [t.is_latest for t in rows] == [0, 0, 0, 1]
	assert [t.days_in_from_stage for t in rows] == [0.0, 2.0, 3.0, 4.0]
	assert [t.lost_reason for t in rows] == [None, None, None, "Price"]
	assert {t.recorded_via for t in plan.transitions} == {"Backfill"}
	assert {t.funnel_entered_at for t in rows} == {T0}
	entry = rows[0]
	assert (entry.manager, entry.department, entry.item_group, entry.customer_kind) == (
		"alice@example.com",
		"North Team",
		"Hardware",  # 300 + 200 beats Services' 400
		"New",
	)
	assert (entry.channel, entry.territory, entry.customer_group, entry.temperature) == (
		"Website",
		"Poland",
		"Commercial",
		"Hot",
	)
	assert {(t.deal_owner, t.amount, t.company, t.funnel) for t in rows} == {
		("alice@example.com", 1200.0, COMPANY, "Standard")
	}

	assert history_of(plan, "OPP-B") == [
		(None, "Prospecting", "Open", T0, "alice@example.com", 0, 1),
		("Prospecting", PROPOSAL, "Open", day(1), "alice@example.com", 1, 3),
	]
	assert history_of(plan, "OPP-C") == [
		(None, "Prospecting", "Open", T0, "alice@example.com", 0, 1),
		("Prospecting", NEGOTIATION, "Open", day(1), "alice@example.com", 1, 4),
		(NEGOTIATION, "Qualification", "Open", day(3), "bob@example.com", 4, 4),
	]
	assert plan.transitions_of("OPP-C")[-1].days_in_from_stage == 2.0
	# the Quotation status is not a move; Converted (no Version) is reached at `modified`, by `modified_by`
	assert history_of(plan, "OPP-D") == [
		(None, "Prospecting", "Open", T0, "alice@example.com", 0, 1),
		("Prospecting", PROPOSAL, "Open", day(1), "alice@example.com", 1, 3),
		(PROPOSAL, "Won", "Won", day(6), "bob@example.com", 3, 5),
	]
	assert plan.transitions_of("OPP-D")[0].customer_kind == "Existing"
	assert history_of(plan, "OPP-E") == [(None, "Qualification", "Open", T0, "alice@example.com", 0, 2)]
	assert plan.transitions_of("OPP-E")[0].is_latest == 1
	assert history_of(plan, "OPP-F") == [
		(None, "Prospecting", "Open", T0, "alice@example.com", 0, 1),
		("Prospecting", "Qualification", "Open", day(1), "alice@example.com", 1, 2),
		("Qualification", NEGOTIATION, "Open", day(8), "bob@example.com", 2, 4),
	]
	# the unreadable Version is ignored: the first readable change says the deal was in Qualification
	assert history_of(plan, "OPP-G") == [
		(None, "Qualification", "Open", T0, "alice@example.com", 0, 2),
		("Qualification", PROPOSAL, "Open", day(2), "alice@example.com", 2, 3),
	]
	# lost with the reason the Version added, then reopened where it was
	assert history_of(plan, "OPP-K") == [
		(None, "Prospecting", "Open", T0, "alice@example.com", 0, 1),
		("Prospecting", "Lost", "Lost", day(1), "alice@example.com", 1, 1),
		("Lost", "Prospecting", "Open", day(3), "bob@example.com", 1, 1),
	]
	assert plan.transitions_of("OPP-K")[1].lost_reason == "No budget"

	assert plan.transitions_of("OPP-H") == []
	assert history_of(plan, "OPP-I") == [(None, "Qualification", "Open", T0, "alice@example.com", 0, 1)]
	assert plan.transitions_of("OPP-I")[0].funnel == "Key Accounts"
	assert plan.funnel_assignments == {"OPP-I": "Key Accounts"}
	assert plan.skipped == {"OPP-J": B.SKIP_NO_FUNNEL}
	assert plan.stage_entered_at == {
		"OPP-A": day(9),
		"OPP-B": day(1),
		"OPP-C": day(3),
		"OPP-D": day(6),
		"OPP-E": T0,
		"OPP-F": day(8),
		"OPP-G": day(2),
		"OPP-I": T0,
		"OPP-K": day(3),
	}
	counts = plan.counts
	assert counts["deals_planned"] == 9
	assert counts["deals_skipped"] == 1
	assert counts["already_recorded"] == 1
	assert counts["funnels_assigned"] == 1
	assert counts["transitions"] == len(plan.transitions) == 4 + 2 + 3 + 3 + 1 + 3 + 2 + 1 + 3
	assert counts["versions_unreadable"] == 1
	assert counts["moves_at_modified"] == 2  # D (Converted) and F
	# progress, is_latest and days agree with recording the same moves live
	for deal in plan.deals:
		rows = plan.transitions_of(deal)
		assert sum(t.is_latest for t in rows) == 1 and rows[-1].is_latest == 1
		assert all(a.progress_to <= b.progress_to for a, b in itertools.pairwise(rows))
		assert all(a.transitioned_at <= b.transitioned_at for a, b in itertools.pairwise(rows))
		assert all(b.from_stage == a.to_stage for a, b in itertools.pairwise(rows))


def test_backfill_is_idempotent(company):
	db = company
	first = B.plan_backfill(db, NOW, batch_size=3)  # several batches of the keyset pagination
	assert len(first.stage_entered_at) == 9
	assert B.plan_backfill(db, NOW).transitions == first.transitions  # planning writes nothing
	written = write_transitions(db, first.transitions)
	assert written == len(first.transitions)
	for deal, funnel in first.funnel_assignments.items():  # what the Frappe layer sets with db.set_value
		db.sql(
			"UPDATE `tabOpportunity` SET sf_sales_funnel = %(f)s WHERE name = %(d)s", {"f": funnel, "d": deal}
		)
	stored = db.sql(
		"SELECT deal, SUM(is_latest), COUNT(*) FROM `tabFunnel Stage Transition` "
		"WHERE recorded_via = 'Backfill' GROUP BY deal"
	)
	assert {d: (int(latest), int(n)) for d, latest, n in stored} == {
		d: (1, len(first.transitions_of(d))) for d in first.deals
	}

	again = B.plan_backfill(db, NOW)
	assert again.transitions == []
	assert again.funnel_assignments == {}
	assert again.is_empty
	assert again.counts["already_recorded"] == 10  # the 9 backfilled deals and OPP-H
	assert again.skipped == {"OPP-J": B.SKIP_NO_FUNNEL}  # still nothing to put it in


def test_backfill_of_given_deals(company):
	db = company
	plan = B.plan_backfill(db, NOW, deals=["OPP-B", "OPP-H", "OPP-NOPE", "OPP-B", "OPP-J"], batch_size=2)
	assert plan.deals == ["OPP-B"]
	assert plan.skipped == {
		"OPP-H": B.SKIP_HAS_HISTORY,
		"OPP-NOPE": B.SKIP_NOT_FOUND,
		"OPP-J": B.SKIP_NO_FUNNEL,
	}
	assert plan.counts["already_recorded"] == 1
	assert B.plan_backfill(db, NOW, deals=[]).is_empty


def test_translated_status_needs_aliases(company):
	"""From Frappe 16, Version data holds Select values translated into the saving user's language."""
	db = company
	make_opportunity(db, "OPP-RU", stage=PROPOSAL, status="Lost", modified=day(7), lost_reasons=("Price",))
	make_version(
		db, "OPP-RU", day(2), "alice@example.com", diff_json([("sales_stage", "Prospecting", PROPOSAL)])
	)
	make_version(db, "OPP-RU", day(4), "bob@example.com", diff_json([("status", "Открыт", "Потерян")]))

	aliases = status_aliases([("Открыт", "Open"), ("Потерян", "Lost")])
	with_aliases = B.plan_backfill(db, NOW, deals=["OPP-RU"], status_aliases=aliases)
	assert history_of(with_aliases, "OPP-RU")[-1] == (
		PROPOSAL,
		"Lost",
		"Lost",
		day(4),
		"bob@example.com",
		3,
		3,
	)
	assert with_aliases.transitions_of("OPP-RU")[-1].lost_reason == "Price"
	# unreadable without them: the loss is still reached, at `modified`
	without = B.plan_backfill(db, NOW, deals=["OPP-RU"])
	assert history_of(without, "OPP-RU")[-1] == (PROPOSAL, "Lost", "Lost", day(7), "alice@example.com", 3, 3)


def test_times_never_go_backwards_or_past_now(company):
	db = company
	make_opportunity(db, "OPP-T", stage=NEGOTIATION, modified=NOW + timedelta(days=30))
	make_version(
		db,
		"OPP-T",
		T0 - timedelta(days=1),
		"bob@example.com",
		diff_json([("sales_stage", "Prospecting", PROPOSAL)]),
	)
	plan = B.plan_backfill(db, NOW, deals=["OPP-T"])
	assert [t.transitioned_at for t in plan.transitions] == [T0, T0, NOW]
	assert [t.to_stage for t in plan.transitions] == ["Prospecting", PROPOSAL, NEGOTIATION]


def test_backfill_on_the_demo_company(demo_db, demo_spec):
	"""Delete the history of some deals (rolled back after the test): without Versions each is rebuilt as an
	entry at creation in its sales stage, plus the close at `modified`, with the generator's entry slices."""
	db = demo_db
	picked = db.sql(
		"""SELECT name, status, sales_stage, sf_sales_funnel, creation, modified FROM (
			SELECT o.*, ROW_NUMBER() OVER (PARTITION BY o.status ORDER BY o.name) AS n
			FROM `tabOpportunity` o WHERE o.status IN ('Open', 'Quotation', 'Lost', 'Converted')) x
		WHERE n <= 40 ORDER BY name""",
		as_dict=True,
	)
	names = [r["name"] for r in picked]
	params = {f"d{i}": n for i, n in enumerate(names)}
	in_list = ", ".join(f"%(d{i})s" for i in range(len(names)))
	before = db.sql(
		f"""SELECT deal, funnel, funnel_entered_at, manager, department, territory, customer_group, channel,
			item_group, customer_kind, temperature, lost_reason, to_kind
		FROM `tabFunnel Stage Transition` WHERE deal IN ({in_list}) ORDER BY deal, transitioned_at, name""",
		params,
		as_dict=True,
	)
	entry_before = {}
	lost_reason_before = {}
	for row in before:
		entry_before.setdefault(row["deal"], row)
		if row["to_kind"] == "Lost":
			lost_reason_before[row["deal"]] = row["lost_reason"]
	db.sql(f"DELETE FROM `tabFunnel Stage Transition` WHERE deal IN ({in_list})", params)
	total = db.sql("SELECT COUNT(*) FROM `tabOpportunity`")[0][0]

	plan = B.plan_backfill(db, demo_spec.now, batch_size=50)
	assert sorted(plan.deals) == names
	assert plan.skipped == {} and plan.funnel_assignments == {}
	assert plan.counts["already_recorded"] == total - len(names)

	funnels = {}
	for r in picked:
		funnel = funnels.setdefault(r["sf_sales_funnel"], load_funnel(db, r["sf_sales_funnel"]))
		rows = plan.transitions_of(r["name"])
		last = rows[-1]
		closed = r["status"] in ("Lost", "Converted")
		assert len(rows) == (2 if closed else 1), r
		assert rows[0].transitioned_at == r["creation"] and rows[0].from_stage is None
		assert last.is_latest == 1
		if r["status"] == "Lost":
			assert (last.to_kind, last.transitioned_at) == ("Lost", r["modified"])
			assert last.progress_to == funnel.position(r["sales_stage"]) == rows[0].progress_to
			assert last.lost_reason == lost_reason_before[r["name"]]
		elif r["status"] == "Converted":
			assert (rows[0].to_stage, last.to_kind, last.transitioned_at) == (
				funnel.open_stages[0].stage,
				"Won",
				r["modified"],
			)
			assert last.progress_to == funnel.position(funnel.won_stage.stage)
		else:
			assert last.to_stage == r["sales_stage"]
			assert last.progress_to == funnel.position(r["sales_stage"])
		entry, old = rows[0], entry_before[r["name"]]
		for column in ("funnel", "funnel_entered_at", *SLICE_COLUMNS):
			assert getattr(entry, column) == old[column], (r["name"], column)

	write_transitions(db, plan.transitions)
	assert B.plan_backfill(db, demo_spec.now, deals=names).transitions == []


def test_snapshot_follows_live_recording(company):
	"""The same readings as sales_funnel/services/history.py: a Prospect is a new customer, the amount falls back to
	opportunity_amount x conversion_rate, the lost reason to order_lost_reason when it names a reason."""
	db = company
	# "Timing" exists as an Opportunity Lost Reason (OPP-K's); OPP-P has no lost_reasons rows
	make_opportunity(
		db, "OPP-P", stage="Prospecting", status="Lost", modified=day(5), opportunity_from="Prospect"
	)
	db.sql(
		"""UPDATE `tabOpportunity` SET base_opportunity_amount = 0, opportunity_amount = 100,
		conversion_rate = 4.3, order_lost_reason = ' Timing ' WHERE name = 'OPP-P'"""
	)
	plan = B.plan_backfill(db, NOW, deals=["OPP-P"])
	entry, lost = plan.transitions_of("OPP-P")
	assert (entry.customer_kind, entry.amount) == ("New", 430.0)
	assert (lost.to_stage, lost.lost_reason, lost.transitioned_at) == ("Lost", "Timing", day(5))
	with pytest.raises(ValueError):
		B.plan_backfill(db, NOW, channel_columns=["source; DROP TABLE x"])

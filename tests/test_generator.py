"""The synthetic company is consistent: references resolve, amounts add up, histories are time-ordered chains,
nothing happens after `now`, and managers really differ."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd
import pytest

from devkit.demo.generator import DemoCompany, DemoSpec
from sales_funnel.engine.frames import rows_frame


def scalar(db, query: str, values=None):
	return db.sql(query, values)[0][0]


def test_every_table_the_features_read_has_rows(demo_db, demo_spec):
	for table in (
		"Opportunity", "Opportunity Item", "Lead", "Customer", "Quotation", "Quotation Item", "Sales Order",
		"Sales Order Item", "Sales Invoice", "Sales Invoice Item", "Payment Schedule", "Payment Entry",
		"Payment Entry Reference", "Sales Team", "Call Log", "Dynamic Link", "ToDo", "Sales Person",
		"Funnel Stage Transition", "Sales Funnel", "Sales Funnel Stage", "Opportunity Lost Reason Detail",
	):  # fmt: skip
		assert scalar(demo_db, f"SELECT COUNT(*) FROM `tab{table}`") > 0, table
	assert scalar(demo_db, "SELECT COUNT(*) FROM `tabOpportunity`") == demo_spec.deals


def test_documents_point_at_rows_that_exist(demo_db):
	orphans = {
		"invoice customer": """SELECT COUNT(*) FROM `tabSales Invoice` si
			LEFT JOIN tabCustomer c ON c.name = si.customer WHERE c.name IS NULL""",
		"order customer": """SELECT COUNT(*) FROM `tabSales Order` so
			LEFT JOIN tabCustomer c ON c.name = so.customer WHERE c.name IS NULL""",
		"invoice item order": """SELECT COUNT(*) FROM `tabSales Invoice Item` sii
			LEFT JOIN `tabSales Order` so ON so.name = sii.sales_order WHERE so.name IS NULL""",
		"invoice item order row": """SELECT COUNT(*) FROM `tabSales Invoice Item` sii
			LEFT JOIN `tabSales Order Item` soi ON soi.name = sii.so_detail AND soi.parent = sii.sales_order
			WHERE soi.name IS NULL""",
		"quotation opportunity": """SELECT COUNT(*) FROM tabQuotation q
			LEFT JOIN tabOpportunity o ON o.name = q.opportunity WHERE o.name IS NULL""",
		"order item quotation": """SELECT COUNT(*) FROM `tabSales Order Item` soi
			LEFT JOIN tabQuotation q ON q.name = soi.prevdoc_docname
			WHERE soi.prevdoc_docname IS NOT NULL AND q.name IS NULL""",
		"payment invoice": """SELECT COUNT(*) FROM `tabPayment Entry Reference` per
			LEFT JOIN `tabSales Invoice` si ON si.name = per.reference_name WHERE si.name IS NULL""",
		"payment parent": """SELECT COUNT(*) FROM `tabPayment Entry Reference` per
			LEFT JOIN `tabPayment Entry` pe ON pe.name = per.parent WHERE pe.name IS NULL""",
		"credit note original": """SELECT COUNT(*) FROM `tabSales Invoice` r
			LEFT JOIN `tabSales Invoice` si ON si.name = r.return_against WHERE r.is_return = 1 AND si.name IS NULL""",
		"opportunity lead": """SELECT COUNT(*) FROM tabOpportunity o LEFT JOIN tabLead l ON l.name = o.party_name
			WHERE o.opportunity_from = 'Lead' AND l.name IS NULL""",
		"opportunity owner": """SELECT COUNT(*) FROM tabOpportunity o LEFT JOIN tabUser u ON u.name = o.opportunity_owner
			WHERE u.name IS NULL""",
		"sales team person": """SELECT COUNT(*) FROM `tabSales Team` st
			LEFT JOIN `tabSales Person` sp ON sp.name = st.sales_person WHERE sp.name IS NULL OR sp.is_group = 1""",
		"call link": """SELECT COUNT(*) FROM `tabDynamic Link` dl LEFT JOIN tabOpportunity o ON o.name = dl.link_name
			WHERE dl.parenttype = 'Call Log' AND dl.link_doctype = 'Opportunity' AND o.name IS NULL""",
		"transition deal": """SELECT COUNT(*) FROM `tabFunnel Stage Transition` t
			LEFT JOIN tabOpportunity o ON o.name = t.deal WHERE o.name IS NULL""",
		"transition stage in funnel": """SELECT COUNT(*) FROM `tabFunnel Stage Transition` t
			LEFT JOIN `tabSales Funnel Stage` s ON s.parent = t.funnel AND s.stage = t.to_stage WHERE s.name IS NULL""",
	}
	found = {what: scalar(demo_db, query) for what, query in orphans.items()}
	assert found == dict.fromkeys(orphans, 0)


def test_amounts_add_up(demo_db):
	# items add up to the document's net total, in document and company currency
	for parent, child in (("Sales Invoice", "Sales Invoice Item"), ("Sales Order", "Sales Order Item"),
		("Quotation", "Quotation Item")):  # fmt: skip
		bad = scalar(
			demo_db,
			f"""SELECT COUNT(*) FROM (SELECT p.name FROM `tab{parent}` p JOIN `tab{child}` i ON i.parent = p.name
			GROUP BY p.name HAVING ABS(SUM(i.net_amount) - MAX(p.net_total)) > 0.005
			OR ABS(SUM(i.base_net_amount) - MAX(p.base_net_total)) > 0.01 * COUNT(*)) x""",
		)
		assert bad == 0, parent
	# the payment schedule covers the grand total; paid + outstanding = amount on every row
	assert (
		scalar(
			demo_db,
			"""SELECT COUNT(*) FROM (SELECT si.name FROM `tabSales Invoice` si
		JOIN `tabPayment Schedule` ps ON ps.parent = si.name
		GROUP BY si.name HAVING ABS(SUM(ps.payment_amount) - MAX(si.grand_total)) > 0.005) x""",
		)
		== 0
	)
	assert (
		scalar(
			demo_db,
			"SELECT COUNT(*) FROM `tabPayment Schedule` WHERE ABS(paid_amount + outstanding - payment_amount) > 0.005",
		)
		== 0
	)
	# payments allocated to an invoice never exceed it, and its outstanding is what is left
	assert (
		scalar(
			demo_db,
			"""SELECT COUNT(*) FROM `tabSales Invoice` si
		JOIN (SELECT reference_name, SUM(allocated_amount) paid FROM `tabPayment Entry Reference`
			GROUP BY reference_name) p ON p.reference_name = si.name
		WHERE si.is_return = 0 AND (p.paid > si.grand_total + 0.005 OR si.outstanding_amount > si.grand_total - p.paid + 0.005)""",
		)
		== 0
	)
	# sales team splits add up to 100 %
	assert (
		scalar(
			demo_db,
			"""SELECT COUNT(*) FROM (SELECT parent FROM `tabSales Team` GROUP BY parenttype, parent
		HAVING ABS(SUM(allocated_percentage) - 100) > 0.001) x""",
		)
		== 0
	)
	# opportunity amount is the sum of its items; base amounts use the deal's conversion rate
	assert (
		scalar(
			demo_db,
			"""SELECT COUNT(*) FROM (SELECT o.name FROM tabOpportunity o JOIN `tabOpportunity Item` i ON i.parent = o.name
		GROUP BY o.name HAVING ABS(SUM(i.amount) - MAX(o.opportunity_amount)) > 0.005
		OR ABS(MAX(o.opportunity_amount * o.conversion_rate) - MAX(o.base_opportunity_amount)) > 0.01) x""",
		)
		== 0
	)


def test_stage_histories_are_time_ordered_chains(demo_db):
	rows = demo_db.sql(
		"""SELECT deal, from_stage, to_stage, transitioned_at,
			LAG(to_stage) OVER w AS previous_to, LAG(transitioned_at) OVER w AS previous_at,
			ROW_NUMBER() OVER w AS n
		FROM `tabFunnel Stage Transition` WINDOW w AS (PARTITION BY deal ORDER BY transitioned_at, name)""",
		as_dict=True,
	)
	frame = rows_frame(rows)
	first = frame[frame["n"] == 1]
	later = frame[frame["n"] > 1]
	assert first["from_stage"].isna().all()  # every history starts with the entry into the funnel
	assert first["deal"].nunique() == len(first)
	assert (later["from_stage"] == later["previous_to"]).all()  # each move starts where the last one ended
	assert (later["transitioned_at"] >= later["previous_at"]).all()
	# names (autoincrement) follow time within each deal
	assert (
		scalar(
			demo_db,
			"""SELECT COUNT(*) FROM (SELECT name, transitioned_at, LAG(transitioned_at) OVER (PARTITION BY deal ORDER BY name) p
		FROM `tabFunnel Stage Transition`) x WHERE transitioned_at < p""",
		)
		== 0
	)


def test_every_deal_has_a_history_that_ends_where_the_deal_is(demo_db):
	rows = demo_db.sql(
		"""SELECT o.name, o.status, o.sales_stage, o.sf_stage_entered_at, t.to_stage, t.to_kind, t.transitioned_at
		FROM tabOpportunity o
		JOIN (SELECT deal, to_stage, to_kind, transitioned_at,
			ROW_NUMBER() OVER (PARTITION BY deal ORDER BY transitioned_at DESC, name DESC) AS r
			FROM `tabFunnel Stage Transition`) t ON t.deal = o.name AND t.r = 1""",
		as_dict=True,
	)
	frame = rows_frame(rows)
	assert len(frame) == scalar(demo_db, "SELECT COUNT(*) FROM tabOpportunity")
	lost, won, open_ = (frame[frame["to_kind"] == k] for k in ("Lost", "Won", "Open"))
	assert (lost["status"] == "Lost").all() and (won["status"] == "Converted").all()
	assert open_["status"].isin(["Open", "Quotation"]).all()
	assert (open_["sales_stage"] == open_["to_stage"]).all() and (won["sales_stage"] == won["to_stage"]).all()
	assert (frame["sf_stage_entered_at"] == frame["transitioned_at"]).all()
	assert len(lost) and len(won) and len(open_)
	lost_without_reason = scalar(
		demo_db,
		"""SELECT COUNT(*) FROM tabOpportunity o LEFT JOIN `tabOpportunity Lost Reason Detail` d ON d.parent = o.name
		WHERE o.status = 'Lost' AND d.name IS NULL""",
	)
	assert lost_without_reason == 0


def test_histories_skip_stages_step_back_and_reopen_sometimes(demo_db):
	moves = rows_frame(
		demo_db.sql(
			"""SELECT tr.deal, f.idx AS from_idx, f.kind AS from_kind, t.idx AS to_idx, t.kind AS to_kind
			FROM `tabFunnel Stage Transition` tr
			JOIN `tabSales Funnel Stage` f ON f.parent = tr.funnel AND f.stage = tr.from_stage
			JOIN `tabSales Funnel Stage` t ON t.parent = tr.funnel AND t.stage = tr.to_stage""",
			as_dict=True,
		)
	)
	between_open = moves[(moves["to_kind"] != "Lost") & (moves["from_kind"] != "Lost")]
	steps = between_open["to_idx"] - between_open["from_idx"]
	assert (steps == 1).mean() > 0.6
	assert (steps == 2).any() and (steps == -1).any()
	assert steps.isin([1, 2, -1]).all()
	reopened = moves[moves["from_kind"] == "Lost"]
	assert len(reopened) and (reopened["to_kind"] == "Open").all()
	# a reopened deal comes back to the stage it was lost at
	lost_at = moves[moves["to_kind"] == "Lost"].groupby("deal")["from_idx"].first()
	assert (reopened.set_index("deal")["to_idx"] == lost_at.reindex(reopened["deal"]).to_numpy()).all()


def test_nothing_happens_after_now(demo_db, demo_spec):
	now = demo_spec.now
	for table, column in (("Funnel Stage Transition", "transitioned_at"), ("Opportunity", "creation"),
		("Payment Entry", "posting_date"), ("Sales Invoice", "posting_date"), ("Call Log", "start_time")):  # fmt: skip
		latest = scalar(demo_db, f"SELECT MAX(`{column}`) FROM `tab{table}`")
		assert str(latest) <= str(now), (table, latest)


def test_payments_are_sometimes_late_partial_or_missing_and_currencies_differ(demo_db, demo_spec):
	statuses = dict(demo_db.sql("SELECT status, COUNT(*) FROM `tabSales Invoice` GROUP BY status"))
	assert {"Paid", "Partly Paid", "Overdue", "Return"} <= set(statuses)
	late = scalar(
		demo_db,
		"""SELECT COUNT(*) FROM `tabPayment Entry Reference` per JOIN `tabPayment Entry` pe ON pe.name = per.parent
		WHERE pe.posting_date > per.due_date""",
	)
	assert late > 0
	assert scalar(demo_db, "SELECT COUNT(*) FROM `tabSales Invoice` WHERE conversion_rate <> 1") > 0
	assert (
		scalar(
			demo_db,
			"SELECT COUNT(*) FROM `tabSales Invoice` WHERE ABS(grand_total * conversion_rate - base_grand_total) > 0.01",
		)
		== 0
	)
	assert scalar(demo_db, "SELECT COUNT(*) FROM `tabSales Team` WHERE allocated_percentage = 40") > 0


def test_managers_differ_in_first_stage_conversion(demo_db):
	rows = demo_db.sql(
		"""SELECT o.opportunity_owner AS manager, COUNT(*) AS entered,
			SUM(EXISTS(SELECT 1 FROM `tabFunnel Stage Transition` t WHERE t.deal = o.name AND t.progress_to >= 2))
				AS moved_on
		FROM tabOpportunity o WHERE o.sf_sales_funnel = 'B2B New Customers'
			AND o.creation < '2026-08-01' GROUP BY o.opportunity_owner""",
		as_dict=True,
	)
	rate = {r["manager"]: r["moved_on"] / r["entered"] for r in rows if r["entered"] >= 100}
	assert max(rate.values()) >= 0.6 and min(rate.values()) <= 0.35


def test_calls_turn_into_negotiations_at_different_rates_and_some_lack_an_outcome(demo_db):
	rows = demo_db.sql(
		"""SELECT c.employee_user_id AS manager, COUNT(*) AS calls, SUM(c.sf_outcome IS NULL) AS without_outcome,
			SUM(o.counts_as_negotiation = 1) AS negotiations
		FROM `tabCall Log` c LEFT JOIN `tabCall Outcome` o ON o.name = c.sf_outcome
		GROUP BY c.employee_user_id""",
		as_dict=True,
	)
	with_outcome = {
		r["manager"]: r["negotiations"] / (r["calls"] - r["without_outcome"])
		for r in rows
		if r["calls"] > 100
	}
	assert max(with_outcome.values()) >= 0.6 and min(with_outcome.values()) <= 0.35
	missing = sum(r["without_outcome"] for r in rows) / sum(r["calls"] for r in rows)
	assert 0.03 < missing < 0.4


def frames_of(spec: DemoSpec) -> dict[str, pd.DataFrame]:
	company = DemoCompany(spec)
	out: dict[str, list[pd.DataFrame]] = {}
	for doctype, frame in company.reference_frames() + [f for chunk in company.deal_frames() for f in chunk]:
		out.setdefault(doctype, []).append(frame)
	return {d: pd.concat(fs, ignore_index=True) for d, fs in out.items()}


def test_the_generator_is_deterministic_by_seed():
	spec = DemoSpec(deals=1500, chunk=500)
	one, two = frames_of(spec), frames_of(spec)
	assert one.keys() == two.keys()
	for doctype in one:
		pd.testing.assert_frame_equal(one[doctype], two[doctype], check_dtype=False)
	other = frames_of(replace(spec, seed=spec.seed + 1))
	assert not one["Opportunity"]["opportunity_amount"].equals(other["Opportunity"]["opportunity_amount"])


@pytest.mark.parametrize("deals", [1, 7, 499])
def test_tiny_companies_generate(deals):
	frames = frames_of(DemoSpec(deals=deals, chunk=200))
	assert len(frames["Opportunity"]) == deals
	assert frames["Funnel Stage Transition"]["deal"].nunique() == deals

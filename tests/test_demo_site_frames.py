"""The generator's frames made fit for a live site (devkit/demo/site/frames.py): the demo users own their share,
every selling document has what its ERPNext form needs, and no figure changes. The site itself is checked by
`scripts/demo.sh` (bench_check.py on the loaded site)."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from devkit.demo.generator import DemoCompany, DemoSpec
from devkit.demo.site import users
from devkit.demo.site.frames import API_DOCTYPES, SiteContext, SiteFrames, renames

CONTEXT = SiteContext(
	companies={
		"Demo Trading": {
			"abbr": "DT", "currency": "PLN", "receivable": {"PLN": "Debtors - DT", "EUR": "Debtors EUR - DT"},
			"bank": "Bank - DT", "income": "Sales - DT", "cost_center": "Main - DT", "warehouse": "Stores - DT",
			"vat": "VAT - DT", "vat_rate": 23.0,
		},
		"Demo Services": {
			"abbr": "DS", "currency": "EUR", "receivable": {"EUR": "Debtors - DS", "USD": "Debtors USD - DS"},
			"bank": "Bank - DS", "income": "Sales - DS", "cost_center": "Main - DS", "warehouse": "Stores - DS",
			"vat": "VAT - DS", "vat_rate": 19.0,
		},
	},
	price_lists={"PLN": "Standard Selling", "EUR": "Standard Selling EUR", "USD": "Standard Selling USD"},
)  # fmt: skip


@pytest.fixture(scope="module")
def adapted() -> tuple[DemoCompany, dict[str, pd.DataFrame], list]:
	company = DemoCompany(DemoSpec(deals=3000))
	adapt = SiteFrames(company, CONTEXT)
	frames = adapt.reference(company.reference_frames())
	for chunk in company.deal_frames():
		frames += adapt.chunk(chunk)
	by_doctype: dict[str, list[pd.DataFrame]] = {}
	for doctype, frame in frames:
		by_doctype.setdefault(doctype, []).append(frame)
	return company, {d: pd.concat(f, ignore_index=True) for d, f in by_doctype.items()}, frames


def test_the_login_contract_is_the_four_users_with_one_password():
	data = users.logins("http://127.0.0.1:8000", "sf-demo.local")
	assert data["url"] == "http://127.0.0.1:8000" and data["site"] == "sf-demo.local"
	assert [(u["user"], u["role"], u["language"]) for u in data["users"]] == [
		("head.of.sales@demo.sales-funnel.test", "Sales Manager", "en"),
		("anna.manager@demo.sales-funnel.test", "Sales User", "ru"),
		("piotr.manager@demo.sales-funnel.test", "Sales User", "pl"),
		("accountant@demo.sales-funnel.test", "Accounts User", "en"),
	]
	assert {u["password"] for u in data["users"]} == {users.PASSWORD}
	assert all(u["full_name"] for u in data["users"])


def test_the_two_managers_own_a_good_share_and_no_replaced_name_is_left(adapted):
	company, tables, frames = adapted
	for table, column in (
		("Opportunity", "opportunity_owner"), ("Call Log", "employee_user_id"), ("Sales Invoice", "owner"),
	):  # fmt: skip
		share = tables[table][column].value_counts(normalize=True)
		for manager in users.MANAGERS:
			assert share.get(manager.user, 0) > 0.03, (table, manager.user)
	team = tables["Sales Team"]["sales_person"].value_counts()
	assert team.get(users.ANNA.sales_person, 0) > 0 and team.get(users.PIOTR.sales_person, 0) > 0
	replaced = set(renames(company))
	for doctype, frame in frames:
		for column in frame.columns:
			values = frame[column]
			if values.dtype == object or pd.api.types.is_string_dtype(values):
				assert not values.isin(replaced).any(), (doctype, column)
	assigned = tables["Opportunity"]["_assign"].dropna().map(json.loads)
	assert assigned.map(lambda a: users.ANNA.user in a).any()


def test_selling_documents_carry_what_their_forms_need(adapted):
	_company, tables, _frames = adapted
	for doctype in ("Quotation", "Sales Order", "Sales Invoice"):
		docs = tables[doctype]
		assert (docs["selling_price_list"] == docs["currency"].map(CONTEXT.price_lists)).all(), doctype
		assert (docs["price_list_currency"] == docs["currency"]).all()
		assert (docs["plc_conversion_rate"] == docs["conversion_rate"]).all()
		taxes = tables["Sales Taxes and Charges"]
		taxes = taxes[taxes["parenttype"] == doctype].set_index("parent")
		assert taxes.index.is_unique and set(taxes.index) == set(docs["name"])
		gap = (docs.set_index("name")["grand_total"] - docs.set_index("name")["net_total"]).round(2)
		assert (taxes["tax_amount"].reindex(gap.index) - gap).abs().max() < 0.005
	invoices = tables["Sales Invoice"]
	debit_to = [
		CONTEXT.companies[c]["receivable"][cur]
		for c, cur in zip(invoices["company"], invoices["currency"], strict=True)
	]
	assert (invoices["debit_to"] == debit_to).all()
	for child in ("Quotation Item", "Sales Order Item", "Sales Invoice Item"):
		lines = tables[child]
		assert (lines["uom"] == "Nos").all() and (lines["conversion_factor"] == 1).all(), child
	lines = tables["Sales Invoice Item"]
	assert lines["income_account"].notna().all() and lines["cost_center"].notna().all()
	assert tables["Sales Order Item"]["delivery_date"].notna().all()


def test_every_credit_note_gets_one_line_for_its_credited_total(adapted):
	_company, tables, _frames = adapted
	returns = tables["Sales Invoice"].query("is_return == 1").set_index("name")
	assert len(returns)
	lines = tables["Sales Invoice Item"].set_index("parent").loc[returns.index]
	assert lines.index.is_unique
	assert (lines["qty"] == -1).all()
	assert (lines["net_amount"] - returns["net_total"]).abs().max() < 0.005
	assert lines["item_code"].notna().all()


def test_payments_leave_from_the_receivable_in_their_currency(adapted):
	_company, tables, _frames = adapted
	payments = tables["Payment Entry"]
	expected = [
		CONTEXT.companies[c]["receivable"][cur]
		for c, cur in zip(payments["company"], payments["paid_from_account_currency"], strict=True)
	]
	assert (payments["paid_from"] == expected).all()
	assert (payments["paid_to"] == payments["company"].map(lambda c: CONTEXT.companies[c]["bank"])).all()


def test_figures_are_the_generators(adapted):
	_company, tables, _frames = adapted
	plain = DemoCompany(DemoSpec(deals=3000))
	generated = pd.concat([f for chunk in plain.deal_frames() for d, f in chunk if d == "Sales Invoice"])
	merged = tables["Sales Invoice"].merge(generated, on="name", suffixes=("", "_gen"))
	assert len(merged) == len(generated)
	for column in ("grand_total", "base_grand_total", "outstanding_amount", "net_total"):
		assert (merged[column] == merged[f"{column}_gen"]).all(), column


def test_the_api_made_reference_rows_are_left_out_of_the_load(adapted):
	company, _tables, frames = adapted
	loaded = {d for d, _ in frames}
	assert not loaded & set(API_DOCTYPES)
	rows = SiteFrames(company, CONTEXT).api_reference(company.reference_frames())
	assert set(rows) == set(API_DOCTYPES)
	names = {row["name"] for row in rows["User"]}
	assert {u.user for u in users.DEMO_USERS} <= names
	json.dumps(rows)  # what the bench-side script reads
	# no namesake of a demo manager is left beside them ("Anna Petrov" next to "Anna Petrova")
	people = {row["name"] for row in rows["Sales Person"]}
	for manager in users.MANAGERS:
		assert {p for p in people if p.startswith(manager.first_name + " ")} == {manager.sales_person}

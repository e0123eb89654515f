"""The generator's frames made fit for a real ERPNext site (pure pandas: no frappe, no database).

The generator writes what the engine reads. A form in the Desk needs more: a price list and its currency on every
selling document, the receivable account of an invoice and the income account and cost center of its lines, the
VAT as a tax row (the generator's grand totals include it), UOMs and conversion factors, customer names. This adds
them from the site's own accounts (`SiteContext`, read on the bench), renames the generator's head of sales,
accountant and two managers to the demo users (`users.py`), and leaves every figure as generated.

What stays bypassed (loading by SQL writes no ledger): no GL Entry, Payment Ledger Entry or Stock Ledger Entry
for the loaded documents; the README says so.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from devkit.demo.generator import DemoCompany, Frame
from devkit.demo.site.users import DEMO_USERS, MANAGERS

# made on the bench through Frappe's document API (trees, users, funnels...): never loaded by SQL
API_DOCTYPES = (
	"Company", "Territory", "Customer Group", "Item Group", "Item", "Lead Source", "Sales Stage",
	"Opportunity Lost Reason", "Opportunity Type", "Role", "User", "Has Role", "Department", "Employee",
	"Sales Person", "Sales Funnel", "Sales Funnel Stage", "Call Outcome",
)  # fmt: skip
SELLING = ("Quotation", "Sales Order", "Sales Invoice")
ITEM_OF = {
	"Quotation Item": "Quotation",
	"Sales Order Item": "Sales Order",
	"Sales Invoice Item": "Sales Invoice",
}
UOM = "Nos"
NAMESAKES = {u.first_name: alias for u, alias in zip(MANAGERS, ("Alina", "Pawel"), strict=True)}
POSTING_TIME = "12:00:00"


@dataclass
class SiteContext:
	"""The site's names the documents point at, per company (read on the bench after the companies exist)."""

	companies: dict[str, dict[str, Any]]  # name -> abbr, currency, receivable {currency: account}, bank, ...
	price_lists: dict[str, str]  # currency -> selling Price List
	departments: dict[str, str] = field(default_factory=dict)  # generator's name -> the site's Department

	@classmethod
	def from_json(cls, data: Mapping[str, Any]) -> SiteContext:
		return cls(dict(data["companies"]), dict(data["price_lists"]), dict(data.get("departments", {})))


def renames(company: DemoCompany) -> dict[str, str]:
	"""Generator value -> site value: the demo users' names, their Sales Persons, and `_assign` lists."""
	mg = company.managers
	members = mg.by_department[company.funnels[0].department]
	by_skill = members[np.argsort(-mg.skill[members], kind="stable")]
	mapping: dict[str, str] = {}
	for user in DEMO_USERS:
		manager = None if user.skill_rank is None else int(by_skill[user.skill_rank])
		old = user.replaces if manager is None else str(mg.user[manager])
		mapping[old] = user.user
		mapping[json.dumps([old])] = json.dumps([user.user])  # Opportunity._assign
		if manager is not None and user.sales_person:
			mapping[str(mg.sales_person[manager])] = user.sales_person
	# another generator manager with a demo manager's first name ("Anna Petrov" beside "Anna Petrova") is renamed
	chosen = {str(mg.user[int(by_skill[u.skill_rank])]) for u in DEMO_USERS if u.skill_rank is not None}
	for user, full_name in zip(mg.user, mg.full_name, strict=True):
		first, _, rest = str(full_name).partition(" ")
		if first in NAMESAKES and user not in chosen:
			mapping[str(full_name)] = f"{NAMESAKES[first]} {rest}"
			mapping[str(user)] = NAMESAKES[first].lower() + str(user)[len(first) :]
			mapping[json.dumps([str(user)])] = json.dumps([mapping[str(user)]])
	return mapping


def rename(frame: pd.DataFrame, mapping: Mapping[str, str]) -> pd.DataFrame:
	"""Replace the mapped values in every text column (users, sales persons) in place; returns the frame."""
	keys = list(mapping)
	for column in frame.columns:
		values = frame[column]
		if (values.dtype == object or pd.api.types.is_string_dtype(values)) and values.isin(keys).any():
			frame[column] = values.map(lambda v: mapping.get(v, v) if isinstance(v, str) else v)
	return frame


class SiteFrames:
	"""Adapts frames chunk by chunk; remembers customer names across chunks (invoices name their customer)."""

	def __init__(self, company: DemoCompany, context: SiteContext):
		self.context = context
		self.mapping = renames(company)
		self.customer_names: dict[str, str] = {}
		self._company_of: dict[str, str] = {}
		self._delivery: dict[str, Any] = {}
		self._first_item: dict[str, tuple[str, str, str]] = {}  # invoice -> its first line's item

	def reference(self, frames: Iterable[Frame]) -> list[Frame]:
		"""The reference frames the API does not make (the base customers), renamed."""
		return self.chunk([(d, f) for d, f in frames if d not in API_DOCTYPES])

	def api_reference(self, frames: Iterable[Frame]) -> dict[str, list[dict[str, Any]]]:
		"""The reference rows the bench makes through the document API, renamed, as JSON-ready records."""
		out: dict[str, list[dict[str, Any]]] = {}
		for doctype, frame in frames:
			if doctype in API_DOCTYPES:
				renamed = rename(frame.copy(), self.mapping)
				records = renamed.astype(object).where(renamed.notna(), None).to_dict("records")
				out.setdefault(doctype, []).extend(_jsonable(r) for r in records)
		return out

	def chunk(self, frames: Iterable[Frame]) -> list[Frame]:
		frames = [(doctype, rename(frame, self.mapping)) for doctype, frame in frames]
		for doctype, frame in frames:
			if doctype == "Customer":
				self.customer_names.update(zip(frame["name"], frame["customer_name"], strict=True))
		out: list[Frame] = []
		for doctype, frame in frames:
			if doctype in SELLING:
				self._remember(doctype, frame)
				out.append((doctype, self._selling(doctype, frame)))
				out.append(("Sales Taxes and Charges", self._taxes(doctype, frame)))
				if doctype == "Sales Invoice" and frame["is_return"].any():
					out.append(("Sales Invoice Item", self._return_items(frame[frame["is_return"] == 1])))
			elif doctype in ITEM_OF:
				out.append((doctype, self._items(doctype, frame)))
			elif doctype == "Payment Entry":
				out.append((doctype, self._payments(frame)))
			elif doctype == "Opportunity":
				frame["customer_name"] = self._names(frame["customer_name"])
				out.append((doctype, frame))
			else:
				out.append((doctype, frame))
		return out

	# ------------------------------------------------------------------------------------------ helpers
	def _names(self, customers: pd.Series) -> pd.Series:
		return customers.map(lambda c: self.customer_names.get(c, c) if isinstance(c, str) else c)

	def _company(self, name: str) -> dict[str, Any]:
		return self.context.companies[name]

	def _remember(self, doctype: str, frame: pd.DataFrame) -> None:
		self._company_of.update(zip(frame["name"], frame["company"], strict=True))
		if doctype == "Sales Order":
			self._delivery.update(zip(frame["name"], frame["delivery_date"], strict=True))

	def _selling(self, doctype: str, frame: pd.DataFrame) -> pd.DataFrame:
		if "customer_name" in frame:
			frame["customer_name"] = self._names(frame["customer_name"])
		frame["selling_price_list"] = frame["currency"].map(self.context.price_lists)
		frame["price_list_currency"] = frame["currency"]
		frame["plc_conversion_rate"] = frame["conversion_rate"]
		frame["total_taxes_and_charges"] = (frame["grand_total"] - frame["net_total"]).round(2)
		frame["base_total_taxes_and_charges"] = (frame["base_grand_total"] - frame["base_net_total"]).round(2)
		frame["rounding_adjustment"] = (frame["rounded_total"] - frame["grand_total"]).round(2)
		frame["base_rounding_adjustment"] = (frame["base_rounded_total"] - frame["base_grand_total"]).round(2)
		if doctype == "Sales Invoice":
			company = frame["company"].map(self._company)
			frame["debit_to"] = [
				c["receivable"][cur] for c, cur in zip(company, frame["currency"], strict=True)
			]
			frame["party_account_currency"] = frame["currency"]
			frame["set_posting_time"] = 1
			frame["posting_time"] = POSTING_TIME
			frame["against_income_account"] = company.map(lambda c: c["income"])
		return frame

	def _taxes(self, doctype: str, frame: pd.DataFrame) -> pd.DataFrame:
		company = frame["company"].map(self._company)
		tax = (frame["grand_total"] - frame["net_total"]).round(2)
		base_tax = (frame["base_grand_total"] - frame["base_net_total"]).round(2)
		rows = pd.DataFrame(
			{
				"name": "stc-" + frame["name"].astype(str),
				"charge_type": "On Net Total",
				"account_head": company.map(lambda c: c["vat"]).to_numpy(),
				"description": company.map(lambda c: f"VAT {c['vat_rate']:g}%").to_numpy(),
				"rate": company.map(lambda c: c["vat_rate"]).to_numpy(),
				"cost_center": company.map(lambda c: c["cost_center"]).to_numpy(),
				"tax_amount": tax,
				"base_tax_amount": base_tax,
				"tax_amount_after_discount_amount": tax,
				"base_tax_amount_after_discount_amount": base_tax,
				"total": frame["grand_total"],
				"base_total": frame["base_grand_total"],
				"parent": frame["name"],
				"parenttype": doctype,
				"parentfield": "taxes",
				"idx": 1,
			}
		)
		for column in ("creation", "modified", "owner", "modified_by", "docstatus"):
			rows[column] = frame[column].to_numpy()
		return rows

	def _items(self, doctype: str, frame: pd.DataFrame) -> pd.DataFrame:
		company = frame["parent"].map(self._company_of).map(self._company)
		frame["uom"] = UOM
		frame["stock_uom"] = UOM
		frame["conversion_factor"] = 1.0
		frame["stock_qty"] = frame["qty"]
		frame["price_list_rate"] = frame["rate"]
		frame["base_price_list_rate"] = frame["base_rate"]
		frame["description"] = frame["item_name"]
		if doctype != "Quotation Item":
			frame["warehouse"] = company.map(lambda c: c["warehouse"]).to_numpy()
		if doctype == "Sales Order Item":
			frame["delivery_date"] = frame["parent"].map(self._delivery).to_numpy()
		if doctype == "Sales Invoice Item":
			first = frame[frame["idx"] == 1]
			self._first_item.update(
				zip(
					first["parent"],
					zip(first["item_code"], first["item_name"], first["item_group"], strict=True),
					strict=True,
				)
			)
			frame["income_account"] = company.map(lambda c: c["income"]).to_numpy()
			frame["cost_center"] = company.map(lambda c: c["cost_center"]).to_numpy()
		return frame

	def _return_items(self, credit: pd.DataFrame) -> pd.DataFrame:
		"""A credit note's one line: its original invoice's first item, quantity -1, for the credited net total."""
		item = credit["return_against"].map(self._first_item)
		rate = (-credit["net_total"]).round(2)
		base_rate = (-credit["base_net_total"]).round(2)
		frame = pd.DataFrame(
			{
				"name": "sinvr-" + credit["name"].astype(str),
				"item_code": item.map(lambda i: i[0]),
				"item_name": item.map(lambda i: i[1]),
				"item_group": item.map(lambda i: i[2]),
				"qty": -1.0,
				"rate": rate,
				"amount": -rate,
				"base_rate": base_rate,
				"base_amount": -base_rate,
				"net_rate": rate,
				"net_amount": -rate,
				"base_net_rate": base_rate,
				"base_net_amount": -base_rate,
				"parent": credit["name"],
				"parenttype": "Sales Invoice",
				"parentfield": "items",
				"idx": 1,
			}
		)
		for column in ("creation", "modified", "owner", "modified_by", "docstatus"):
			frame[column] = credit[column].to_numpy()
		self._company_of.update(zip(credit["name"], credit["company"], strict=True))
		return self._items("Sales Invoice Item", frame)

	def _payments(self, frame: pd.DataFrame) -> pd.DataFrame:
		company = frame["company"].map(self._company)
		frame["party_name"] = self._names(frame["party"])
		frame["paid_from"] = [
			c["receivable"][cur] for c, cur in zip(company, frame["paid_from_account_currency"], strict=True)
		]
		frame["paid_to"] = company.map(lambda c: c["bank"]).to_numpy()
		return frame


def _jsonable(record: dict[str, Any]) -> dict[str, Any]:
	out = {}
	for key, value in record.items():
		if isinstance(value, pd.Timestamp):
			value = value.isoformat(sep=" ")
		elif isinstance(value, np.generic):
			value = value.item()
		out[key] = value
	return out

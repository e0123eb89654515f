"""What the backfill reads: the Opportunities without history, in batches, and their Versions."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from sales_funnel.engine.db import Database
from sales_funnel.engine.funnels.backfill.moves import DealRecord, clean
from sales_funnel.engine.funnels.choice import DealAttributes
from sales_funnel.engine.funnels.history import DealSnapshot
from sales_funnel.engine.names import DEAL_DOCTYPE
from sales_funnel.engine.sql import in_list

NEW_CUSTOMER_SOURCES = ("Lead", "Prospect")  # opportunity_from of a deal with a new customer
CHANNEL_COLUMNS = ("source", "utm_source")  # Opportunity.source (v15, Lead Source); utm_source where present

# The deal as live recording (sales_funnel/services/history.py) snapshots it: manager = opportunity_owner or owner;
# amount in company currency; department = the parent Sales Person of the manager's Sales Person (Sales
# Person.employee -> Employee.user_id); item group with the largest amount (base_amount, else amount; ties by
# name); lost reason = first Opportunity Lost Reason row, else order_lost_reason when it names one.
_OPPORTUNITY_COLUMNS = """o.name, o.company, o.owner AS created_by, o.creation, o.modified, o.modified_by,
	o.status, o.sales_stage, o.opportunity_from, {channel} AS channel, o.opportunity_type, o.customer_group,
	o.territory, o.sf_sales_funnel, o.sf_temperature,
	COALESCE(NULLIF(o.base_opportunity_amount, 0),
		NULLIF(o.opportunity_amount * COALESCE(NULLIF(o.conversion_rate, 0), 1), 0), o.base_total, 0) AS amount,
	COALESCE(NULLIF(o.opportunity_owner, ''), o.owner) AS manager,
	(SELECT MIN(NULLIF(sp.parent_sales_person, '')) FROM `tabSales Person` sp
		JOIN `tabEmployee` e ON e.name = sp.employee
		WHERE e.user_id = COALESCE(NULLIF(o.opportunity_owner, ''), o.owner)) AS department,
	(SELECT i.item_group FROM `tabOpportunity Item` i
		WHERE i.parent = o.name AND i.parenttype = 'Opportunity' AND i.parentfield = 'items'
			AND IFNULL(i.item_group, '') != ''
		GROUP BY i.item_group
		ORDER BY SUM(IF(IFNULL(i.base_amount, 0) != 0, i.base_amount, IFNULL(i.amount, 0))) DESC, i.item_group
		LIMIT 1) AS item_group,
	COALESCE(
		(SELECT d.lost_reason FROM `tabOpportunity Lost Reason Detail` d
			WHERE d.parent = o.name AND d.parenttype = 'Opportunity' AND d.parentfield = 'lost_reasons'
				AND IFNULL(d.lost_reason, '') != ''
			ORDER BY d.idx LIMIT 1),
		(SELECT r.name FROM `tabOpportunity Lost Reason` r WHERE r.name = TRIM(o.order_lost_reason))
	) AS lost_reason"""

HAS_HISTORY = """EXISTS (SELECT 1 FROM `tabFunnel Stage Transition` t
	WHERE t.deal_doctype = 'Opportunity' AND t.deal = o.name)"""


def opportunity_columns(channel_columns: Sequence[str]) -> str:
	"""The SELECT list of a deal, the channel being the first non-empty of `channel_columns`."""
	unknown = [c for c in channel_columns if c not in CHANNEL_COLUMNS]
	if unknown or not channel_columns:
		raise ValueError(f"channel columns must be among {CHANNEL_COLUMNS}, not {list(channel_columns)}")
	channel = ", ".join(f"NULLIF(o.`{c}`, '')" for c in channel_columns)
	return _OPPORTUNITY_COLUMNS.format(
		channel=f"COALESCE({channel})" if len(channel_columns) > 1 else channel
	)


def opportunity_batches(
	db: Database, deals: Sequence[str] | None, batch_size: int, columns: str
) -> Iterator[tuple[list[dict[str, Any]], dict[str, bool]]]:
	"""Per batch: the Opportunities without history, and the requested deals left out (deal -> True: it has
	history, False: it does not exist). With `deals=None` every Opportunity without history, by keyset
	pagination on `name`."""
	if deals is not None:
		yield from _named_batches(db, deals, batch_size, columns)
		return
	after = ""
	while True:
		rows = db.sql(
			f"""SELECT {columns} FROM `tabOpportunity` o
			WHERE o.name > %(after)s AND NOT {HAS_HISTORY}
			ORDER BY o.name LIMIT %(limit)s""",
			{"after": after, "limit": batch_size},
			as_dict=True,
		)
		if not rows:
			return
		yield rows, {}
		after = rows[-1]["name"]
		if len(rows) < batch_size:
			return


def _named_batches(
	db: Database, deals: Sequence[str], batch_size: int, columns: str
) -> Iterator[tuple[list[dict[str, Any]], dict[str, bool]]]:
	unique = list(dict.fromkeys(d for d in deals if d))
	for start in range(0, len(unique), batch_size):
		chunk = unique[start : start + batch_size]
		params: dict[str, Any] = {}
		rows = db.sql(
			f"""SELECT {columns}, {HAS_HISTORY} AS has_history FROM `tabOpportunity` o
			WHERE o.name IN ({in_list("deal_", chunk, params)}) ORDER BY o.name""",
			params,
			as_dict=True,
		)
		found = {r["name"]: r for r in rows}
		left_out = {d: d in found for d in chunk if d not in found or found[d]["has_history"]}
		yield [r for r in rows if not r["has_history"]], left_out


def version_rows(db: Database, names: Sequence[str]) -> list[dict[str, Any]]:
	"""The Versions of these deals that may change their sales stage or status, per deal in time order."""
	params: dict[str, Any] = {
		"doctype": DEAL_DOCTYPE,
		"like_stage": '%"sales_stage"%',
		"like_status": '%"status"%',
	}
	return db.sql(
		f"""SELECT v.docname, v.owner, v.creation, v.data FROM `tabVersion` v
		WHERE v.ref_doctype = %(doctype)s AND v.docname IN ({in_list("deal_", names, params)})
			AND (v.data LIKE %(like_stage)s OR v.data LIKE %(like_status)s)
		ORDER BY v.docname, v.creation, v.name""",
		params,
		as_dict=True,
	)


def recorded_count(db: Database) -> int:
	"""How many Opportunities already have history."""
	count = db.sql(f"SELECT COUNT(*) FROM `tabOpportunity` o WHERE {HAS_HISTORY}")
	return int(count[0][0]) if count else 0


def deal_record(row: Mapping[str, Any]) -> DealRecord:
	"""A row of `opportunity_columns` as the backfill plans with it."""
	customer_kind = "New" if row["opportunity_from"] in NEW_CUSTOMER_SOURCES else "Existing"
	return DealRecord(
		name=row["name"],
		snapshot=DealSnapshot(
			doctype=DEAL_DOCTYPE,
			name=row["name"],
			company=row["company"],
			owner=row["manager"],
			amount=float(row["amount"] or 0),
			department=row["department"] or None,
			territory=row["territory"] or None,
			customer_group=row["customer_group"] or None,
			channel=row["channel"] or None,
			item_group=row["item_group"] or None,
			customer_kind=customer_kind,
			temperature=row["sf_temperature"] or None,
		),
		attributes=DealAttributes(
			company=row["company"],
			customer_kind=customer_kind,
			source=row["channel"] or None,
			opportunity_type=row["opportunity_type"] or None,
			customer_group=row["customer_group"] or None,
		),
		funnel=row["sf_sales_funnel"] or None,
		created_at=row["creation"],
		created_by=row["created_by"],
		modified_at=row["modified"] or row["creation"],
		modified_by=row["modified_by"] or row["created_by"],
		sales_stage=clean(row["sales_stage"]),
		status=clean(row["status"]),
		lost_reason=row["lost_reason"] or None,
	)

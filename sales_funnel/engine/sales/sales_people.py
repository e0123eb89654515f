"""The Sales Person tree (nested set lft/rgt) as the money reports read it: the tree itself, who is under whom,
whom a user may see, facts rolled up to groups, and a user's own Sales People."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from sales_funnel.engine.db import Database
from sales_funnel.engine.frames import rows_frame
from sales_funnel.engine.i18n import _
from sales_funnel.engine.inputs import check_known


def sales_person_tree(db: Database) -> pd.DataFrame:
	return rows_frame(
		db.sql(
			"""SELECT name, sales_person_name, IFNULL(parent_sales_person, '') AS parent, is_group, enabled, lft, rgt
			FROM `tabSales Person` ORDER BY lft, name""",
			as_dict=True,
		),
		["name", "sales_person_name", "parent", "is_group", "enabled", "lft", "rgt"],
	)


def members_of(tree: pd.DataFrame, names: Sequence[str]) -> set[str]:
	"""The Sales People in the subtrees of `names` (each one a member of itself; names not in the tree, none)."""
	chosen = tree[tree["name"].isin(list(names))]
	if not len(chosen):
		return set()
	lft, rgt = tree["lft"].to_numpy(dtype=np.int64), tree["rgt"].to_numpy(dtype=np.int64)
	under = (chosen["lft"].to_numpy(dtype=np.int64)[:, None] <= lft[None, :]) & (
		chosen["rgt"].to_numpy(dtype=np.int64)[:, None] >= rgt[None, :]
	)
	return set(tree["name"][under.any(axis=0)])


def visible_people(
	tree: pd.DataFrame, sales_people: Sequence[str] | None, within: Sequence[str] | None
) -> set[str] | None:
	"""The Sales People a report shows: those under the chosen `sales_people` (each must exist) and under the
	user's own `within`; None when neither restricts."""
	if sales_people is None and within is None:
		return None
	if sales_people is not None:
		check_known(sales_people, tree["name"], _("Sales Person"))
	visible: set[str] | None = None
	for names in (sales_people, within):
		if names is not None:
			members = members_of(tree, names)
			visible = members if visible is None else visible & members
	return visible


def rollup(tree: pd.DataFrame, direct: pd.DataFrame) -> pd.DataFrame:
	"""Each node's facts plus those of everyone under it (nested set: lft/rgt inside the node's)."""
	own = direct.reindex(tree["name"]).fillna(0.0).to_numpy()
	lft = tree["lft"].to_numpy(dtype=np.int64)
	rgt = tree["rgt"].to_numpy(dtype=np.int64)
	inside = (lft[None, :] >= lft[:, None]) & (rgt[None, :] <= rgt[:, None])
	return pd.DataFrame(inside.astype(float) @ own, index=tree["name"], columns=direct.columns)


def sales_people_of_user(db: Database, user: str) -> list[str]:
	"""The Sales People whose Employee is this user (a Sales User sees only their own figures)."""
	return [
		row[0]
		for row in db.sql(
			"""SELECT sp.name FROM `tabSales Person` sp JOIN `tabEmployee` e ON e.name = sp.employee
			WHERE e.user_id = %s""",
			(user,),
		)
	]

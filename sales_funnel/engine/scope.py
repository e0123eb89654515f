"""Which deals a user may see, as parameterised SQL for the engine's queries.

The Frappe layer builds a `DealScope` from the session: a Sales Manager (or System Manager) sees every deal;
anyone else sees the deals they own (Opportunity.opportunity_owner or the document owner) or are assigned
to (`_assign`). ERPNext user permissions (Company, Territory, Customer Group, …) narrow it further: `allowed`
maps an Opportunity field to the values the user may see (from `frappe.permissions.get_user_permissions`,
which already includes the descendants of tree values).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sales_funnel.engine.sql import in_list

# Opportunity fields a user permission may restrict, by the doctype the permission is on
PERMISSION_FIELDS = {
	"Company": "company",
	"Territory": "territory",
	"Customer Group": "customer_group",
	"Lead Source": "source",
	"Opportunity Type": "opportunity_type",
	"Sales Stage": "sales_stage",
	"Opportunity": "name",
}


def like_literal(text: str) -> str:
	"""`text` matched literally inside a LIKE pattern (backslash is MariaDB's default escape)."""
	return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


@dataclass(frozen=True)
class DealScope:
	own_or_assigned_of: str | None = None  # restrict to this user's deals
	allowed: Mapping[str, Sequence[str]] = field(default_factory=dict)  # Opportunity field -> values
	# Frappe lets a document whose restricted field is empty through, unless the System Settings say
	# "Apply Strict User Permissions"
	strict: bool = False

	@property
	def is_everything(self) -> bool:
		return self.own_or_assigned_of is None and not self.allowed

	def deal_filter(self, deal_column: str, values: dict[str, Any]) -> str:
		"""` AND <deal_column> IN (…)` restricting to visible Opportunities, or "" for everything.

		Adds its parameters to `values` under `scope_*` names."""
		if self.is_everything:
			return ""
		conditions = []
		if self.own_or_assigned_of is not None:
			values["scope_user"] = self.own_or_assigned_of
			values["scope_assign"] = f'%"{like_literal(self.own_or_assigned_of)}"%'
			conditions.append(
				"(o.opportunity_owner = %(scope_user)s OR o.owner = %(scope_user)s OR o._assign LIKE %(scope_assign)s)"
			)
		for number, (column, allowed) in enumerate(sorted(self.allowed.items())):
			if column not in PERMISSION_FIELDS.values():
				raise ValueError(f"not an Opportunity field a permission may restrict: {column}")
			keys = in_list(f"scope_{number}_", allowed, values, empty="")
			condition = f"o.`{column}` IN ({keys})" if keys else "FALSE"
			if not self.strict:
				condition = f"({condition} OR o.`{column}` IS NULL OR o.`{column}` = '')"
			conditions.append(condition)
		return (
			f" AND {deal_column} IN (SELECT o.name FROM `tabOpportunity` o WHERE {' AND '.join(conditions)})"
		)

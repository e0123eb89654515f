"""Which funnel a new deal goes to (`funnels.choice.choose_funnel`): the highest-priority enabled funnel of its
company whose rule matches, else the company's default."""

from __future__ import annotations

from sales_funnel.engine.funnels.choice import DealAttributes, choose_funnel
from sales_funnel.engine.funnels.stages import Funnel, Stage

STAGES = (Stage("Lead", "Open", probability=10), Stage("Won", "Won", probability=100))


def funnel(name: str, company: str = "Co", **rule) -> Funnel:
	return Funnel(name=name, company=company, stages=STAGES, **rule)


def deal(**attrs) -> DealAttributes:
	values = {
		"company": "Co",
		"customer_kind": "New",
		"source": "Web",
		"opportunity_type": "Sales",
		"customer_group": "Retail",
	}
	return DealAttributes(**{**values, **attrs})


FUNNELS = (
	funnel("Default", is_default=True),
	funnel("New Web", customer_kind="New", source="Web", priority=5),
	funnel("New", customer_kind="New", priority=5),
	funnel("Retail", customer_group="Retail", priority=1),
	funnel("Off", customer_kind="New", priority=99, enabled=False),
	funnel("Elsewhere", company="Other", customer_kind="New", priority=99),
)


def test_the_highest_priority_matching_rule_wins_ties_by_name():
	assert choose_funnel(FUNNELS, deal()).name == "New"  # "New" before "New Web" at priority 5
	assert choose_funnel(FUNNELS, deal(customer_kind="Existing")).name == "Retail"


def test_every_field_a_rule_sets_must_match():
	assert (
		choose_funnel(FUNNELS, deal(customer_kind="Existing", customer_group="Wholesale")).name == "Default"
	)


def test_disabled_funnels_and_other_companies_are_never_chosen():
	assert choose_funnel(FUNNELS, deal(company="Other")).name == "Elsewhere"
	assert choose_funnel(FUNNELS[4:5], deal()) is None


def test_no_rule_and_no_default_is_none():
	assert choose_funnel([funnel("Plain")], deal()) is None
	assert choose_funnel([], deal()) is None

"""Checking a funnel's stage list (`funnels.stages.check_stages`), on hand-written lists: which errors and warnings,
in which order (the Sales Funnel form shows them in this order)."""

from __future__ import annotations

from sales_funnel.engine.funnels.stages import MAX_OPEN_STAGES_BEFORE_WARNING, Stage, check_stages

GOOD = (
	Stage("Lead", "Open", probability=10),
	Stage("Proposal", "Open", probability=50, trigger="Quotation Submitted"),
	Stage("Won", "Won", probability=100, trigger="Sales Order Submitted"),
	Stage("Lost", "Lost"),
)


def english(messages) -> list[str]:
	return [message.english() for message in messages]


def test_a_good_funnel_passes():
	check = check_stages(GOOD)
	assert check.errors == () and check.warnings == ()


def test_every_problem_is_reported_in_order():
	stages = (
		Stage("Lead", "Open", probability=30, time_limit_days=-1),
		Stage("", "Open", probability=120),
		Stage("Lead", "Maybe", target_conversion=-5, trigger="Phone Call"),
		Stage("Won", "Won", probability=20, trigger="Quotation Submitted"),
		Stage("Lost", "Lost", trigger="Quotation Submitted"),
		Stage("Late", "Open", probability=10),
	)
	assert english(check_stages(stages).errors) == [
		"Row 1: the time limit cannot be negative.",
		"Row 2: choose a Sales Stage.",
		"Row 2: Probability must be between 0 and 100.",
		"Row 3: stage Lead is already in this funnel.",
		"Row 3: kind must be Open, Won or Lost, not Maybe.",
		"Row 3: unknown trigger Phone Call.",
		"Row 3: Target conversion must be between 0 and 100.",
		"Row 5: a Lost stage cannot be reached by a document trigger.",
		"Lost stages must come last.",
		"Open stages must come before the Won stage.",
		"Probabilities must rise along the funnel: Won (20%) is not above  (120%).",
		"Probabilities must rise along the funnel: Late (10%) is not above Won (20%).",
		"Trigger Quotation Submitted is set on more than one stage.",
	]


def test_too_few_stages_and_no_won_stage():
	assert english(check_stages([Stage("Lead", "Open", probability=10)]).errors) == [
		"A funnel needs at least two stages.",
		"A funnel needs exactly one Won stage; it has 0.",
	]
	two_won = [Stage("A", "Won", probability=10), Stage("B", "Won", probability=20)]
	assert english(check_stages(two_won).errors) == ["A funnel needs exactly one Won stage; it has 2."]


def test_a_long_funnel_is_a_warning_not_an_error():
	count = MAX_OPEN_STAGES_BEFORE_WARNING + 1
	stages = [Stage(f"S{i}", "Open", probability=i) for i in range(1, count + 1)]
	check = check_stages([*stages, Stage("Won", "Won", probability=100)])
	assert check.errors == ()
	assert english(check.warnings) == [
		f"This funnel has {count} open stages. Funnels longer than {MAX_OPEN_STAGES_BEFORE_WARNING} stages blur "
		"where deals are lost."
	]
	assert check_stages([*stages[:-1], Stage("Won", "Won", probability=100)]).warnings == ()

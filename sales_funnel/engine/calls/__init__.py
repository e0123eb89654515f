"""Calls and their outcomes: the Call Outcomes report, the reminders about calls without an outcome, and what
setting an outcome does. One job per module:

- `filters.py`: the report's filters and scope (`CallFilters`, `CallScope`), their checks and SQL conditions;
- `query.py`: the report's SQL, call counts (from the rollup and the Call Logs) and deals from calls;
- `figures.py`: the report's figures per manager and period, per manager and in total (`CallOutcomeResult`);
- `output.py`: the report's columns, rows, chart and summary for Frappe's query report;
- `report.py`: the report itself (`call_outcome_report`, `call_outcomes_output`);
- `drilldown.py`: the calls behind a report cell, with safe recording links;
- `overdue.py`: calls past their grace period without an outcome (the reminder job) and the missing-outcome digest;
- `outcome.py`: the plan of what setting an outcome on a call changes, and a Call Outcome's checks;
- `from_call.py`: `Opportunity.sf_from_call`, which deals a call links to;
- `rollup.py`: the per-day rollup of past calls that the report reads (`Call Rollup`, `Call Funnel Rollup`).
"""

"""The Stage Conversion report: per stage of a funnel, how many deals entered, moved on, were lost, are open or
stale, and how long they stayed. One job per module:

- `filters.py`: the report's filters (`ConversionFilters`), parsed from the report's and checked, and their periods;
- `query.py`: the SQL over the stage history and the deals without history yet (`StageQuery`);
- `call_received.py`: the query of the Call Received row of a funnel that starts with calls;
- `stages.py`: the figures per stage and per slice, derived in pandas (`ConversionResult`);
- `output.py`: the report's columns, rows, chart and summary for Frappe's query report (`build_report`);
- `report.py`: the report itself (`stage_conversion`, `stage_conversion_output`).
"""

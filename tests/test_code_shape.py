"""The shape of the shipped code (issue 11): small engine modules, short functions, and a reason at each exception.

- No module under `sales_funnel/engine/` is over 400 lines.
- No function in `sales_funnel/` or `devkit/` is over 60 lines, unless the line directly above it (above its
  decorators) is a comment `# long: <reason>`.
- Every `noqa: C901` (ruff's complexity check, enabled at 12 in pyproject.toml) gives its reason after a dash.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ENGINE = ROOT / "sales_funnel" / "engine"
SHIPPED = (ROOT / "sales_funnel", ROOT / "devkit")
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 60
LONG_REASON = re.compile(r"^\s*# long: \S")
NOQA_C901 = re.compile(r"#\s*noqa: C901(?P<rest>.*)$")


def python_files(*roots: Path) -> list[Path]:
	return sorted(path for root in roots for path in root.rglob("*.py"))


def long_functions(source: str, filename: str = "<source>") -> list[tuple[int, str, int]]:
	"""(line, name, length) of every function over MAX_FUNCTION_LINES without a `# long:` reason above it."""
	lines = source.splitlines()
	found = []
	for node in ast.walk(ast.parse(source, filename)):
		if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
			continue
		length = node.end_lineno - node.lineno + 1
		first = min([node.lineno, *(decorator.lineno for decorator in node.decorator_list)])
		above = lines[first - 2] if first >= 2 else ""
		if length > MAX_FUNCTION_LINES and not LONG_REASON.match(above):
			found.append((node.lineno, node.name, length))
	return found


def unexplained_noqa(source: str) -> list[int]:
	"""Lines with `noqa: C901` not followed by ` - <reason>`."""
	found = []
	for number, line in enumerate(source.splitlines(), 1):
		match = NOQA_C901.search(line)
		if match and not re.match(r"\s*-\s*\S", match["rest"]):
			found.append(number)
	return found


def test_engine_modules_are_small():
	big = [
		f"{path.relative_to(ROOT)}: {count} lines"
		for path in python_files(ENGINE)
		if (count := len(path.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES
	]
	assert not big, f"engine modules over {MAX_MODULE_LINES} lines:\n" + "\n".join(big)


def test_functions_are_short_or_say_why():
	offenders = [
		f"{path.relative_to(ROOT)}:{line} {name} ({length} lines)"
		for path in python_files(*SHIPPED)
		for line, name, length in long_functions(path.read_text(encoding="utf-8"), str(path))
	]
	assert not offenders, (
		f"functions over {MAX_FUNCTION_LINES} lines without a `# long: <reason>` line above:\n"
		+ "\n".join(offenders)
	)


def test_complexity_exceptions_say_why():
	offenders = [
		f"{path.relative_to(ROOT)}:{line}"
		for path in python_files(*SHIPPED, ROOT / "tests", ROOT / "benchmarks")
		if path != Path(__file__).resolve()  # this file's own cases
		for line in unexplained_noqa(path.read_text(encoding="utf-8"))
	]
	assert not offenders, "`noqa: C901` without ` - <reason>`:\n" + "\n".join(offenders)


def _function(body_lines: int, reason: str | None = None, decorated: bool = False) -> str:
	head = [f"# long: {reason}"] if reason is not None else []
	head += ["@decorator"] if decorated else []
	return "\n".join([*head, "def f():", *["\tx = 1"] * (body_lines - 1)]) + "\n"


@pytest.mark.parametrize(
	("source", "flagged"),
	[
		(_function(60), False),
		(_function(61), True),
		(_function(61, reason="one table of cases"), False),
		(_function(61, reason="one table", decorated=True), False),
		(_function(61, reason=""), True),
		("# a comment\n" + _function(61), True),
	],
)
def test_long_function_rule(source, flagged):
	assert bool(long_functions(source)) is flagged


@pytest.mark.parametrize(
	("line", "flagged"),
	[
		("def f():  # noqa: C901 - one dispatch over the doctype's fields", False),
		("def f():  # noqa: C901", True),
		("def f():  # noqa: C901 -", True),
		("def f():", False),
	],
)
def test_noqa_reason_rule(line, flagged):
	assert bool(unexplained_noqa(line)) is flagged

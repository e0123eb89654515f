"""patches.txt (frappe/modules/patch_handler.py): INI sections or a plain list, each patch a module of the app
with an `execute`, or an `execute:` one-liner that parses."""

from __future__ import annotations

import ast
import configparser
import re
from pathlib import Path

from .. import frappe_rules as R
from .common import APP_NAME, ModuleIndex

Line = tuple[int, str]


def _is_header(line: str) -> bool:
	return re.fullmatch(r"\[.*\]", line.strip()) is not None


def _check_sections(where: str, meaningful: list[Line], headers: list[Line]) -> list[str]:
	problems = []
	if meaningful and meaningful[0][0] != headers[0][0]:
		problems.append(f"{where} line {meaningful[0][0]}: patch before the first [section] header")
	section_names = [header[1:-1] for _, header in headers]
	problems += [
		f"{where} line {n}: unknown section {header} (use {', '.join(R.PATCH_SECTIONS)})"
		for n, header in headers
		if header[1:-1] not in R.PATCH_SECTIONS
	]
	for section in R.PATCH_SECTIONS:
		if section not in section_names:
			problems.append(f"{where}: section [{section}] is missing")
		elif section_names.count(section) > 1:
			problems.append(f"{where}: section [{section}] appears more than once")
	return problems


def _check_ini(
	file: Path, where: str, meaningful: list[Line], headers: list[Line]
) -> tuple[list[str], list[Line]]:
	"""patch_handler.parse_as_configfile: the sections, what configparser makes of the file, and the patches."""
	problems = _check_sections(where, meaningful, headers)
	parser = configparser.ConfigParser(allow_no_value=True, delimiters="\n")
	parser.optionxform = str  # type: ignore[assignment,method-assign]
	try:
		parser.read_string(file.read_text(encoding="utf-8"))
	except configparser.Error as exc:
		problems.append(f"{where}: not a valid patches file: {exc.message.splitlines()[0]}")
	problems += [
		f"{where} line {n}: indented lines are read as a continuation of the previous patch"
		for n, line in meaningful
		if line[:1].isspace()
	]
	return problems, [(n, line.strip()) for n, line in meaningful if not _is_header(line)]


def _check_patch(patch: str, where: str, index: ModuleIndex, app_name: str) -> list[str]:
	if patch.startswith("execute:"):
		try:
			ast.parse(patch.split("execute:", 1)[1])
		except SyntaxError as exc:
			return [f"{where}: execute: code does not parse ({exc.msg})"]
		return []
	module = patch.removeprefix("finally:").split(maxsplit=1)[0]
	if module.split(".")[0] != app_name:
		return [f"{where}: patch {module!r} is not a module of {app_name}"]
	return index.check(f"{module}.execute", where)


def validate_patches(patches_path: str, app_root: str, app_name: str = APP_NAME) -> list[str]:
	file = Path(patches_path)
	where = file.name
	if not file.is_file():
		return [f"{patches_path}: patches.txt does not exist"]
	lines = file.read_text(encoding="utf-8").splitlines()
	meaningful = [
		(n, line)
		for n, line in enumerate(lines, 1)
		if line.strip() and not line.strip().startswith(("#", ";"))
	]
	headers = [(n, line.strip()) for n, line in meaningful if _is_header(line)]
	if headers:
		problems, entries = _check_ini(file, where, meaningful, headers)
	else:
		problems, entries = [], [(n, line.strip()) for n, line in meaningful]
	seen: set[str] = set()
	index = ModuleIndex(Path(app_root))
	for n, patch in entries:
		if patch in seen:
			problems.append(f"{where} line {n}: duplicate patch {patch!r} (it only runs once)")
		seen.add(patch)
		problems += _check_patch(patch, f"{where} line {n}", index, app_name)
	return problems

#!/usr/bin/env python3
"""Extract the app's user-facing messages and keep its Russian and Polish catalogues in step with the code.

What is a message:
- Python: the first argument of `_("…")` / `frappe._("…")` / `_lt("…")` when it is a string literal (this
  includes `sales_funnel.engine.i18n._`, the engine's marker with the same role);
- JavaScript / HTML / Vue: `__("…")`, `__('…')` and `` __(`…`) `` (literals joined with `+` count as one);
- JSON: DocType name, description, field labels, descriptions and Select options; Report name, column and
  filter labels; fixture Custom Field labels, descriptions and Select options; Workspace labels.

What it writes (both formats: frappe.translate.get_translations_from_apps merges, per app, the CSV file and
the `.mo` file compiled from the PO file, in v15 and v16 alike):
- `sales_funnel/translations/<lang>.csv`: rows `source,translation,` read by `frappe.translate`;
- `sales_funnel/locale/<lang>.po` and `sales_funnel/locale/main.pot`: gettext catalogues that `bench build`
  compiles to `.mo` files.

Translations already in the CSV or PO files are kept (the PO file wins where both have one and they
differ); strings that left the code stay in the PO file as obsolete `#~` entries, so a rewording can reuse
them. To translate: fill in `msgstr` in `locale/<lang>.po` (or add rows to `translations/<lang>.csv`),
then run this script again so both formats agree.

Usage: python scripts/extract_messages.py [--check] [--quiet]
  (default)  print the sorted unique messages, rewrite the catalogues, list what is untranslated; exit 0
  --check    write nothing; exit 1 if a message lacks a translation or a catalogue is out of date
  --quiet    do not print the message list
"""

from __future__ import annotations

import argparse
import ast
import csv
import io
import json
import re
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
APP = "sales_funnel"
APP_DIR = REPO / APP
LANGUAGES = ("ru", "pl")
CSV_DIR = APP_DIR / "translations"
PO_DIR = APP_DIR / "locale"
POT_FILE = PO_DIR / "main.pot"

SKIP_DIRS = {"__pycache__", "node_modules", "dist", "translations", "locale"}
PY_MARKERS = {"_", "_lt"}

PLURAL_FORMS = {
	"ru": "nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 : n%10>=2 && n%10<=4 && "
	"(n%100<10 || n%100>=20) ? 1 : 2);",
	"pl": "nplurals=3; plural=(n==1 ? 0 : n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2);",
}

# A JS string literal in any of the three quotes; a template literal only without `${}`.
_JS_STRING = r"""(?:"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|`(?:[^`\\$]|\\.)*`)"""
JS_CALL = re.compile(r"(?<![\w$.])__\(\s*(" + _JS_STRING + r"(?:\s*\+\s*" + _JS_STRING + r")*)\s*[,)]")
JS_PART = re.compile(_JS_STRING)
JS_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f", "v": "\v", "0": "\0"}
# Jinja templates call `_()` like Python.
JINJA_CALL = re.compile(r"""(?<![\w$.])_\(\s*("(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')\s*[,)]""")


@dataclass
class Catalogue:
	"""Messages with the files they come from."""

	sources: dict[str, set[str]] = field(default_factory=dict)

	def add(self, message: object, where: Path) -> None:
		if not isinstance(message, str):
			return
		# frappe._ looks messages up stripped; a key with outer blanks would never match
		message = message.strip()
		if message and not message.isdigit():
			self.sources.setdefault(message, set()).add(where.relative_to(REPO).as_posix())

	def messages(self) -> list[str]:
		return sorted(self.sources)


# ---------------------------------------------------------------------------------------------------------
# extraction


def iter_files(root: Path, suffixes: tuple[str, ...]) -> Iterator[Path]:
	for path in sorted(root.rglob("*")):
		if (
			path.suffix in suffixes
			and path.is_file()
			and not SKIP_DIRS.intersection(path.relative_to(root).parts)
		):
			yield path


def is_test_file(path: Path) -> bool:
	return path.name.startswith("test_") or path.name.endswith("_test.py")


def python_messages(source: str) -> Iterator[str]:
	for node in ast.walk(ast.parse(source)):
		if not isinstance(node, ast.Call) or not node.args:
			continue
		func = node.func
		name = (
			func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None
		)
		first = node.args[0]
		if name in PY_MARKERS and isinstance(first, ast.Constant) and isinstance(first.value, str):
			yield first.value


def js_unquote(literal: str) -> str:
	body = literal[1:-1]
	return re.sub(r"\\(.)", lambda m: JS_ESCAPES.get(m.group(1), m.group(1)), body, flags=re.DOTALL)


def js_messages(source: str) -> Iterator[str]:
	for match in JS_CALL.finditer(source):
		yield "".join(js_unquote(part) for part in JS_PART.findall(match.group(1)))


def jinja_messages(source: str) -> Iterator[str]:
	for match in JINJA_CALL.finditer(source):
		yield js_unquote(match.group(1))


def select_options(options: object) -> list[str]:
	if not isinstance(options, str):
		return []
	values = [option for option in options.split("\n") if option.strip()]
	if values and "icon" in values[0]:
		return []
	return values


def field_messages(fields: Iterable[dict]) -> Iterator[object]:
	for df in fields:
		yield df.get("label")
		yield df.get("description")
		if df.get("fieldtype") == "Select":
			yield from select_options(df.get("options"))


def json_messages(data: object) -> Iterator[object]:
	"""Messages of a DocType, Report, Workspace or fixture (a list of Custom Fields and the like)."""
	if isinstance(data, list):
		for item in data:
			if isinstance(item, dict) and item.get("doctype") in ("Custom Field", "DocField"):
				yield from field_messages([item])
		return
	if not isinstance(data, dict):
		return
	kind = data.get("doctype")
	if kind == "DocType":
		yield data.get("name")
		yield data.get("description")
		yield from field_messages(data.get("fields") or [])
		for link in data.get("links") or []:
			yield link.get("group")
	elif kind == "Report":
		yield data.get("report_name") or data.get("name")
		for item in [*(data.get("columns") or []), *(data.get("filters") or [])]:
			yield item.get("label")
	elif kind == "Workspace":
		yield data.get("label") or data.get("title")
		for key in ("links", "shortcuts", "charts", "number_cards", "cards"):
			for item in data.get(key) or []:
				yield item.get("label")


def extract() -> Catalogue:
	catalogue = Catalogue()
	for path in iter_files(APP_DIR, (".py",)):
		if not is_test_file(path):
			for message in python_messages(path.read_text(encoding="utf-8")):
				catalogue.add(message, path)
	for path in iter_files(APP_DIR, (".js", ".html", ".vue")):
		source = path.read_text(encoding="utf-8")
		for message in js_messages(source):
			catalogue.add(message, path)
		if path.suffix == ".html":
			for message in jinja_messages(source):
				catalogue.add(message, path)
	for path in iter_files(APP_DIR, (".json",)):
		for message in json_messages(json.loads(path.read_text(encoding="utf-8"))):
			catalogue.add(message, path)
	return catalogue


# ---------------------------------------------------------------------------------------------------------
# CSV: `source,translation,context` as frappe.translate.read_csv_file reads it (csv module, UTF-8)


def read_csv(path: Path) -> dict[str, str]:
	if not path.exists():
		return {}
	translations: dict[str, str] = {}
	with path.open(encoding="utf-8", newline="") as f:
		for row in csv.reader(f):
			if len(row) < 2 or not row[0]:
				continue
			if len(row) > 3 or (len(row) == 3 and row[2]):
				continue  # a translation for one context only; this app writes none
			if row[1].strip():
				translations[row[0]] = row[1].strip()
	return translations


def render_csv(messages: Iterable[str], translations: dict[str, str]) -> str:
	out = io.StringIO()
	writer = csv.writer(out, lineterminator="\n")
	for message in messages:
		if translations.get(message):
			writer.writerow([message, translations[message], ""])
	return out.getvalue()


# ---------------------------------------------------------------------------------------------------------
# PO: a small reader and writer for the subset this app uses (no plurals; msgctxt read but not written)


@dataclass
class PoEntry:
	msgid: str
	msgstr: str = ""
	msgctxt: str | None = None
	obsolete: bool = False
	fuzzy: bool = False


PO_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}


def po_unquote(text: str, path: Path, lineno: int) -> str:
	text = text.strip()
	if len(text) < 2 or text[0] != '"' or text[-1] != '"':
		raise ValueError(f"{path}:{lineno}: expected a quoted string, got {text!r}")
	body = text[1:-1]

	def unescape(match: re.Match) -> str:
		if match.group(1) not in PO_ESCAPES:
			raise ValueError(f"{path}:{lineno}: unknown escape \\{match.group(1)}")
		return PO_ESCAPES[match.group(1)]

	if re.search(r'(?<!\\)(?:\\\\)*"', body):
		raise ValueError(f"{path}:{lineno}: unescaped quote in {text!r}")
	return re.sub(r"\\(.)", unescape, body)


class _PoParser:
	"""The state of `parse_po` between lines: the entry being read, its flags and the keyword a continuation
	line extends."""

	def __init__(self, path: Path) -> None:
		self.path = path
		self.entries: list[PoEntry] = []
		self.current: dict[str, str] = {}
		self.flags: set[str] = set()
		self.obsolete = False
		self.key: str | None = None

	def flush(self) -> None:
		if self.current:
			if "msgid" not in self.current or "msgstr" not in self.current:
				raise ValueError(f"{self.path}: entry without msgid or msgstr: {self.current}")
			self.entries.append(
				PoEntry(
					msgid=self.current["msgid"],
					msgstr=self.current["msgstr"],
					msgctxt=self.current.get("msgctxt"),
					obsolete=self.obsolete,
					fuzzy="fuzzy" in self.flags,
				)
			)
		self.current, self.flags, self.obsolete, self.key = {}, set(), False, None

	def flush_complete(self) -> None:
		"""End the entry being read if it has its msgstr (a comment or a blank line follows it)."""
		if self.current and "msgstr" in self.current:
			self.flush()

	def feed(self, lineno: int, raw: str) -> None:
		line = raw.strip()
		is_obsolete = line.startswith("#~")
		if is_obsolete:
			line = line[2:].strip()
		elif line.startswith("#"):
			self.flush_complete()
			if line.startswith("#,"):
				self.flags.update(flag.strip() for flag in line[2:].split(","))
			return
		if not line:
			self.flush_complete()
		elif line.startswith('"'):
			if self.key is None:
				raise ValueError(f"{self.path}:{lineno}: continuation line outside an entry")
			self.current[self.key] += po_unquote(line, self.path, lineno)
		else:
			self.keyword_line(lineno, raw, line, is_obsolete)

	def keyword_line(self, lineno: int, raw: str, line: str, is_obsolete: bool) -> None:
		keyword, _, rest = line.partition(" ")
		if keyword not in ("msgctxt", "msgid", "msgstr"):
			raise ValueError(f"{self.path}:{lineno}: unsupported line {raw!r}")
		if keyword in ("msgctxt", "msgid") and "msgstr" in self.current:
			self.flush()
		if keyword in self.current:
			raise ValueError(f"{self.path}:{lineno}: {keyword} given twice in one entry")
		self.obsolete = self.obsolete or is_obsolete
		self.key = keyword
		self.current[keyword] = po_unquote(rest, self.path, lineno)


def parse_po(text: str, path: Path = Path("<po>")) -> list[PoEntry]:
	"""Parse a PO file into entries (the header is the entry with msgid ""); raise ValueError if malformed."""
	parser = _PoParser(path)
	for lineno, raw in enumerate(text.splitlines(), 1):
		parser.feed(lineno, raw)
	parser.flush()
	return parser.entries


def read_po(path: Path) -> tuple[dict[str, str], dict[str, str]]:
	"""Active and obsolete translations (context-free, not fuzzy) of a PO file."""
	if not path.exists():
		return {}, {}
	active: dict[str, str] = {}
	obsolete: dict[str, str] = {}
	for entry in parse_po(path.read_text(encoding="utf-8"), path):
		if entry.msgid and entry.msgctxt is None and not entry.fuzzy and entry.msgstr.strip():
			(obsolete if entry.obsolete else active)[entry.msgid] = entry.msgstr
	return active, obsolete


def po_quote(text: str) -> str:
	escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\t", "\\t").replace("\r", "\\r")
	if "\n" not in escaped:
		return f'"{escaped}"'
	lines = escaped.split("\n")
	parts = [line + "\\n" for line in lines[:-1]] + ([lines[-1]] if lines[-1] else [])
	return '""\n' + "\n".join(f'"{part}"' for part in parts)


def render_po(
	catalogue: Catalogue,
	language: str | None,
	translations: dict[str, str],
	obsolete: dict[str, str],
) -> str:
	header = [
		f"Project-Id-Version: {APP}\\n",
		"Report-Msgid-Bugs-To: sales-funnel@example.com\\n",
		"MIME-Version: 1.0\\n",
		"Content-Type: text/plain; charset=UTF-8\\n",
		"Content-Transfer-Encoding: 8bit\\n",
		"Generated-By: scripts/extract_messages.py\\n",
	]
	if language:
		header[2:2] = [f"Language: {language}\\n", f"Plural-Forms: {PLURAL_FORMS[language]}\\n"]
	title = f"{language} translations" if language else "Translation template"
	blocks = [
		f"# {title} of the {APP} app.\n"
		"# Generated by scripts/extract_messages.py: edit msgstr values, then run the script again.\n"
		'msgid ""\nmsgstr ""\n' + "\n".join(f'"{line}"' for line in header)
	]
	for message in catalogue.messages():
		references = "\n".join(f"#: {source}" for source in sorted(catalogue.sources[message]))
		msgstr = translations.get(message, "") if language else ""
		blocks.append(f"{references}\nmsgid {po_quote(message)}\nmsgstr {po_quote(msgstr)}")
	if language:
		for message in sorted(set(obsolete) - set(catalogue.sources)):
			msgid = po_quote(message).replace("\n", "\n#~ ")
			msgstr = po_quote(obsolete[message]).replace("\n", "\n#~ ")
			blocks.append(f"#~ msgid {msgid}\n#~ msgstr {msgstr}")
	return "\n\n".join(blocks) + "\n"


# ---------------------------------------------------------------------------------------------------------


@dataclass
class LanguageState:
	language: str
	translations: dict[str, str]
	obsolete: dict[str, str]
	conflicts: list[str]
	missing: list[str]


def load_language(language: str, catalogue: Catalogue) -> LanguageState:
	from_csv = read_csv(CSV_DIR / f"{language}.csv")
	from_po, obsolete_po = read_po(PO_DIR / f"{language}.po")
	conflicts = sorted(m for m in from_csv.keys() & from_po.keys() if from_csv[m] != from_po[m])
	known = {**obsolete_po, **from_csv, **from_po}
	active = {m: known[m] for m in catalogue.sources if m in known}
	obsolete = {m: t for m, t in known.items() if m not in catalogue.sources}
	missing = [m for m in catalogue.messages() if m not in active]
	return LanguageState(language, active, obsolete, conflicts, missing)


def planned_files(catalogue: Catalogue, states: list[LanguageState]) -> dict[Path, str]:
	files = {POT_FILE: render_po(catalogue, None, {}, {})}
	for state in states:
		files[CSV_DIR / f"{state.language}.csv"] = render_csv(catalogue.messages(), state.translations)
		files[PO_DIR / f"{state.language}.po"] = render_po(
			catalogue, state.language, state.translations, state.obsolete
		)
	return files


def main(argv: list[str] | None = None) -> int:
	parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
	parser.add_argument("--check", action="store_true", help="write nothing; exit 1 if anything is missing")
	parser.add_argument("--quiet", action="store_true", help="do not print the message list")
	args = parser.parse_args(argv)

	catalogue = extract()
	if not args.quiet:
		for message in catalogue.messages():
			print(message)

	states = [load_language(language, catalogue) for language in LANGUAGES]
	stale = []
	for path, content in planned_files(catalogue, states).items():
		current = path.read_text(encoding="utf-8") if path.exists() else None
		if current == content:
			continue
		stale.append(path.relative_to(REPO).as_posix())
		if not args.check:
			path.parent.mkdir(parents=True, exist_ok=True)
			path.write_text(content, encoding="utf-8")

	report = sys.stderr
	print(f"{len(catalogue.sources)} messages", file=report)
	for state in states:
		print(
			f"{state.language}: {len(state.translations)} translated, {len(state.missing)} missing",
			file=report,
		)
		for message in state.conflicts:
			print(f"  {state.language}: CSV and PO differ for {message!r}; the PO one is kept", file=report)
		for message in state.missing:
			print(f"  {state.language} untranslated: {message}", file=report)
	if stale:
		verb = "out of date (run scripts/extract_messages.py)" if args.check else "updated"
		print(f"{verb}: {', '.join(stale)}", file=report)

	untranslated = any(state.missing for state in states)
	return 1 if args.check and (untranslated or stale) else 0


if __name__ == "__main__":
	sys.exit(main())

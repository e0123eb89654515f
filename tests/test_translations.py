"""The Russian and Polish catalogues cover every message in the code, in both formats Frappe reads.

Frappe v15 and v16 both merge, per app, `<app>/translations/<lang>.csv` (frappe.translate.get_translations_from_csv)
and the `.mo` files that `bench build` compiles from `<app>/locale/<lang>.po` (frappe.gettext.translate), so the
app ships both and they must agree. The messages are extracted from the code on every run: a new string without
a translation fails here until `scripts/extract_messages.py` is run and the string translated.
"""

from __future__ import annotations

import csv
import importlib.util
import re
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "extract_messages.py"


def _load_script():
	spec = importlib.util.spec_from_file_location("extract_messages", SCRIPT)
	module = importlib.util.module_from_spec(spec)
	sys.modules[spec.name] = module  # dataclasses look their module up while the class is being built
	spec.loader.exec_module(module)
	return module


em = _load_script()

PLACEHOLDER = re.compile(r"\{[^{}]*\}|%(?:\([A-Za-z_]\w*\))?[sd]")
HTML_TAG = re.compile(r"</?[A-Za-z][^<>]*>")
# Words that are spelt the same in the translation; any other message left as it is counts as untranslated.
SAME_AS_SOURCE = {"ru": set(), "pl": {"Spam", "Status"}}


@pytest.fixture(scope="module")
def messages() -> list[str]:
	found = em.extract().messages()
	assert len(found) > 50, "the extractor found suspiciously few messages"
	return found


def _csv_translations(language: str) -> dict[str, str]:
	return em.read_csv(em.CSV_DIR / f"{language}.csv")


def _po_translations(language: str) -> dict[str, str]:
	return em.read_po(em.PO_DIR / f"{language}.po")[0]


# ---------------------------------------------------------------------------------------------------------
# coverage


@pytest.mark.parametrize("language", em.LANGUAGES)
def test_every_message_is_translated_in_the_po_file(language, messages):
	translations = _po_translations(language)
	missing = [message for message in messages if not translations.get(message)]
	assert not missing, (
		f"{len(missing)} message(s) without a {language} translation in locale/{language}.po; "
		f"run scripts/extract_messages.py and translate them: {missing}"
	)


@pytest.mark.parametrize("language", em.LANGUAGES)
def test_every_message_is_translated_in_the_csv_file(language, messages):
	translations = _csv_translations(language)
	missing = [message for message in messages if not translations.get(message)]
	assert not missing, (
		f"{len(missing)} message(s) without a {language} translation in translations/{language}.csv; "
		f"run scripts/extract_messages.py: {missing}"
	)


@pytest.mark.parametrize("language", em.LANGUAGES)
def test_csv_and_po_files_agree(language):
	assert _csv_translations(language) == _po_translations(language)


# ---------------------------------------------------------------------------------------------------------
# what a translation must keep


def _translated_pairs() -> list[tuple[str, str, str]]:
	pairs = []
	for language in em.LANGUAGES:
		translations = {**_csv_translations(language), **_po_translations(language)}
		pairs.extend((language, source, text) for source, text in sorted(translations.items()))
	return pairs


@pytest.mark.parametrize("language,source,translation", _translated_pairs())
def test_translation_keeps_placeholders_and_tags(language, source, translation):
	assert set(PLACEHOLDER.findall(translation)) == set(PLACEHOLDER.findall(source))
	assert sorted(HTML_TAG.findall(translation)) == sorted(HTML_TAG.findall(source))
	assert translation == translation.strip(), "leading or trailing blanks"
	assert translation != source or source in SAME_AS_SOURCE[language], "left in English"


# ---------------------------------------------------------------------------------------------------------
# the files parse the way Frappe reads them


@pytest.mark.parametrize("language", em.LANGUAGES)
def test_csv_file_has_frappe_rows(language):
	path = em.CSV_DIR / f"{language}.csv"
	with path.open(encoding="utf-8", newline="") as f:
		rows = list(csv.reader(f))
	assert rows
	sources = [row[0] for row in rows]
	assert len(sources) == len(set(sources)), "duplicate source strings"
	for row in rows:
		# frappe.translate.get_translation_dict_from_file: [source, translation, context]; no context here
		assert len(row) == 3 and row[0] and row[1] and row[2] == "", row


@pytest.mark.parametrize("name", [f"{language}.po" for language in em.LANGUAGES] + ["main.pot"])
def test_po_file_parses(name):
	path = em.PO_DIR / name
	entries = em.parse_po(path.read_text(encoding="utf-8"), path)
	header, body = entries[0], entries[1:]
	assert header.msgid == "" and "charset=UTF-8" in header.msgstr
	active = [entry.msgid for entry in body if not entry.obsolete]
	assert len(active) == len(set(active)), "duplicate msgids"
	assert not [entry.msgid for entry in body if entry.fuzzy], "fuzzy entries are not compiled"
	if name != "main.pot":
		assert f"Language: {path.stem}\n" in header.msgstr
		assert "Plural-Forms: nplurals=3;" in header.msgstr
	else:
		assert not [entry.msgid for entry in body if entry.msgstr], "a template holds no translations"


def test_pot_file_lists_the_messages(messages):
	path = em.POT_FILE
	entries = em.parse_po(path.read_text(encoding="utf-8"), path)
	assert sorted(entry.msgid for entry in entries[1:]) == messages, "run scripts/extract_messages.py"


# ---------------------------------------------------------------------------------------------------------
# the extractor itself


def test_python_extraction_takes_literal_first_arguments():
	source = (
		'from frappe import _\nimport frappe\n_("One {0}").format(x)\nfrappe._("Two", context="Opportunity")\n'
		'_("Three " "joined")\n_(variable)\nf("not this")\n_lt("Lazy")\n'
	)
	assert sorted(em.python_messages(source)) == ["Lazy", "One {0}", "Three joined", "Two"]


def test_js_extraction_handles_quotes_concatenation_and_line_breaks():
	source = (
		'__("Double {0}", [x]);\n'
		"__('Single \\'quoted\\'');\n"
		"__(\n\t\"Split \" +\n\t\t'over lines'\n);\n"
		"__(`Template`);\n"
		"frappe.__('not a call'); my__('nor this'); __(`with ${x}`);\n"
	)
	assert sorted(em.js_messages(source)) == ["Double {0}", "Single 'quoted'", "Split over lines", "Template"]


def test_json_extraction_covers_doctypes_reports_and_fixtures():
	doctype = {
		"doctype": "DocType",
		"name": "Thing",
		"fields": [
			{"fieldtype": "Data", "label": "Label", "description": "Help"},
			{"fieldtype": "Select", "label": "Pick", "options": "\nOne\nTwo"},
			{"fieldtype": "Link", "label": "Link", "options": "DocType"},
		],
	}
	report = {"doctype": "Report", "report_name": "Report", "columns": [{"label": "Column"}], "filters": []}
	fixture = [{"doctype": "Custom Field", "fieldtype": "Select", "label": "Custom", "options": "\nA\nB"}]
	found = [m for data in (doctype, report, fixture) for m in em.json_messages(data) if m]
	expected = "Thing Label Help Pick One Two Link Report Column Custom A B".split()
	assert found == expected


def test_po_round_trip_keeps_every_character(tmp_path):
	catalogue = em.Catalogue()
	source = em.APP_DIR / "hooks.py"
	tricky = ['Quote " and back\\slash', "Line\nbreak\n", "Tab\there", "Plain {0}"]
	for message in tricky:
		catalogue.sources[message] = {source.relative_to(em.REPO).as_posix()}
	translations = {message: f"«{message}»" for message in tricky}
	text = em.render_po(catalogue, "ru", translations, {"Old": "Старое"})
	entries = em.parse_po(text, tmp_path / "ru.po")
	assert {e.msgid: e.msgstr for e in entries[1:] if not e.obsolete} == translations
	assert [(e.msgid, e.msgstr) for e in entries if e.obsolete] == [("Old", "Старое")]


def test_malformed_po_is_rejected(tmp_path):
	with pytest.raises(ValueError):
		em.parse_po('msgid "a"\nmsgstr "b\n', tmp_path / "bad.po")
	with pytest.raises(ValueError):
		em.parse_po('msgid "a"\nmsgstr "b"\nmsgstr "c"\n', tmp_path / "bad.po")

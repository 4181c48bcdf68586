"""Every interface text has an Indonesian translation (Bahasa Indonesia is the default)."""
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
METHOD_MAP = [("survey_app/**.py", "python"), ("survey_app/templates/**.html", "jinja2")]


def test_every_message_in_the_code_is_translated_to_indonesian():
    with open(ROOT / "survey_app/translations/id/LC_MESSAGES/messages.po", "rb") as handle:
        catalog = read_po(handle)
    translated = {m.id if isinstance(m.id, str) else m.id[0] for m in catalog if m.id and m.string
                  and (m.string if isinstance(m.string, str) else m.string[0])}
    found = {message if isinstance(message, str) else message[0]
             for _file, _line, message, _comments, _context in extract_from_dir(str(ROOT), METHOD_MAP)}
    assert len(found) > 50  # the extraction really read the code
    assert sorted(found - translated) == []


def test_compiled_catalog_is_up_to_date():
    po = ROOT / "survey_app/translations/id/LC_MESSAGES/messages.po"
    mo = po.with_suffix(".mo")
    assert mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime, "run: make translations"

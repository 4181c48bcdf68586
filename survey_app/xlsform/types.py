"""XLSForm question types: how each maps to Jejak, or why it cannot.

Legacy aliases (``select1``, ``select all that apply``, ``string``, ``int``, ``trigger``…) are
folded here, so the rest of the importer sees one spelling per type.
"""
from __future__ import annotations

from survey_app.xlsform.errors import N_

# XLSForm type → Jejak type (before appearances refine it, e.g. multiline → long_text).
SIMPLE = {
    "text": "text", "string": "text",
    "integer": "integer", "int": "integer",
    "decimal": "decimal", "range": "integer",
    "date": "date",
    "note": "note",
    "calculate": "calculate",
    "acknowledge": "acknowledge",  # becomes a select_one with a single "OK" choice
    "time": "time",  # becomes text with an HH:MM check
    "datetime": "date",  # the time of day is lost (noted)
}
SELECT_PREFIXES = {
    "select_one": "select_one", "select1": "select_one", "select one": "select_one",
    "select one from": "select_one", "select_multiple": "select_multiple",
    "select all that apply": "select_multiple", "select all that apply from": "select_multiple",
    "select_multiple_from": "select_multiple",
}
# "select" on its own was pyxform's old spelling of select_multiple; "select x" too.
LEGACY_SELECT = {"select": "select_multiple"}

# Device metadata: recorded by Jejak itself (timestamps) or meaningless on the web.
METADATA = {
    "start", "end", "today", "deviceid", "imei", "subscriberid", "simserial", "phonenumber",
    "username", "email", "audit", "start-geopoint", "background-audio", "instanceid",
}
# Types Jejak cannot ask, with the plain reason given to the author.
UNSUPPORTED = {
    "geopoint": N_("GPS locations are not collected by Jejak (web survey on the respondent's phone)"),
    "geotrace": N_("GPS traces are not collected by Jejak"),
    "geoshape": N_("GPS shapes are not collected by Jejak"),
    "image": N_("photos and other file uploads are not collected by Jejak"),
    "photo": N_("photos and other file uploads are not collected by Jejak"),
    "audio": N_("audio recordings are not collected by Jejak"),
    "video": N_("video recordings are not collected by Jejak"),
    "file": N_("file uploads are not collected by Jejak"),
    "barcode": N_("barcode scanning needs ODK Collect's camera widget"),
    "signature": N_("signatures are drawings uploaded as images; not collected by Jejak"),
    "trigger": N_("'trigger' is the old acknowledge widget with device-only behaviour; not supported"),
    "rank": N_("ranking questions are not supported by Jejak's engine"),
    "osm": N_("OpenStreetMap questions need ODK Collect's map widget"),
    "hidden": N_("'hidden' fields are filled in by the data-collection app (e.g. CHT inputs); Jejak has no such input"),
    "xml-external": N_("external XML data files are not supported"),
    "csv-external": N_("external CSV data files are not supported"),
    "select_one_external": N_("external choices (the external_choices sheet) are not supported"),
    "select_one_from_file": N_("choices from an attached file (select_*_from_file) are not supported"),
    "select_multiple_from_file": N_("choices from an attached file (select_*_from_file) are not supported"),
    "select one from file": N_("choices from an attached file (select_*_from_file) are not supported"),
    "select multiple from file": N_("choices from an attached file (select_*_from_file) are not supported"),
    "begin loop": N_("'begin loop' (a repeat over a choice list) is not supported; use a repeat"),
    "begin_loop": N_("'begin loop' (a repeat over a choice list) is not supported; use a repeat"),
    "start-geopoint": N_("GPS locations are not collected by Jejak"),
    "background-geopoint": N_("GPS locations are not collected by Jejak"),
    "entity": N_("entities (ODK's case data) are not supported"),
}
CONTROL = {
    "begin group": "begin_group", "begin_group": "begin_group", "end group": "end_group",
    "end_group": "end_group", "begin repeat": "begin_repeat", "begin_repeat": "begin_repeat",
    "end repeat": "end_repeat", "end_repeat": "end_repeat", "begin lgroup": "begin_repeat",
    "end lgroup": "end_repeat", "begin looped group": "begin_repeat", "end looped group": "end_repeat",
}


OR_SPECIFY_OTHER = " or specify other"  # legacy spelling of or_other


def normalise_type(raw: str) -> tuple[str, str | None, bool]:
    """``(kind, list_name, or_other)`` for a type cell.

    ``kind`` is a Jejak-side type, ``begin_group``-style control word, ``metadata``,
    ``unsupported:<type>`` or ``unknown``.
    """
    text = " ".join(raw.strip().split())
    if text.lower().endswith(OR_SPECIFY_OTHER):
        text = text[: -len(OR_SPECIFY_OTHER)] + " or_other"
    lowered = text.lower()
    if lowered in CONTROL:
        return CONTROL[lowered], None, False
    if lowered in METADATA and lowered not in UNSUPPORTED:
        return "metadata", None, False
    if lowered in UNSUPPORTED:
        return f"unsupported:{lowered}", None, False
    words = text.split(" ")
    first = words[0].lower()
    for prefix in sorted(SELECT_PREFIXES, key=len, reverse=True):
        if lowered.startswith(prefix + " ") or lowered == prefix:
            rest = text[len(prefix):].split()
            or_other = bool(rest) and rest[-1].lower() == "or_other"
            if or_other:
                rest = rest[:-1]
            return SELECT_PREFIXES[prefix], (rest[0] if len(rest) == 1 else None), or_other
    if first in ("select_one_from_file", "select_multiple_from_file", "select_one_external", "osm", "rank"):
        return f"unsupported:{first}", None, False
    if first in LEGACY_SELECT and len(words) >= 2:
        or_other = words[-1].lower() == "or_other"
        rest = words[1:-1] if or_other else words[1:]
        return LEGACY_SELECT[first], (rest[0] if len(rest) == 1 else None), or_other
    if lowered in SIMPLE:
        return SIMPLE[lowered], None, False
    if lowered in ("datetime", "datetime"):
        return "date", None, False
    return "unknown", None, False

"""Column headers → canonical keys and language codes.

XLSForm headers come in many spellings: ``label::English (en)``, ``label::English(en)``,
``label::english(en)``, ``label::en``, ``label:English`` (legacy single colon), upper case
(``LABEL::EN``), and legacy aliases (``list name``, ``bind:relevant``, ``bind:jr:constraintMsg``,
``requiredMsg``, ``jr:count``). Everything is reduced to a :class:`Column`.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

# Columns whose cells are texts that can be translated.
TRANSLATABLE = {"label", "hint", "guidance_hint", "constraint_message", "required_message",
                "image", "big-image", "audio", "video"}
MEDIA = {"image", "big-image", "audio", "video"}

_ALIASES = {
    "list name": "list_name", "list_name": "list_name",
    "constraintmsg": "constraint_message", "constraining_message": "constraint_message",
    "constraint message": "constraint_message",
    "requiredmsg": "required_message", "required message": "required_message",
    "count": "repeat_count", "repeat_count": "repeat_count",
    "readonly": "read_only", "read_only": "read_only",
    "relevance": "relevant", "calculate": "calculation", "caption": "label",
    "choice filter": "choice_filter", "choice_filter": "choice_filter",
}
# Prefixes that older forms put before a column name (ODK bind/control attributes).
_PREFIXES = ("bind::", "bind:", "control::", "control:", "body::", "body:", "jr:")

# Language names used without a code in real forms (the part before "(code)" when present).
LANGUAGE_NAMES = {
    "english": "en", "indonesian": "id", "bahasa indonesia": "id", "bahasa": "id", "indonesia": "id",
    "french": "fr", "francais": "fr", "français": "fr", "spanish": "es", "espanol": "es", "español": "es",
    "swahili": "sw", "kiswahili": "sw", "hindi": "hi", "nepali": "ne", "chinese": "zh", "arabic": "ar",
    "portuguese": "pt", "german": "de", "dutch": "nl", "russian": "ru", "japanese": "ja", "korean": "ko",
    "thai": "th", "vietnamese": "vi", "malay": "ms", "tagalog": "tl", "filipino": "tl", "burmese": "my",
    "bengali": "bn", "bangla": "bn", "urdu": "ur", "amharic": "am", "somali": "so", "hausa": "ha",
    "yoruba": "yo", "igbo": "ig", "zulu": "zu", "lingala": "ln", "italian": "it", "turkish": "tr",
    "khmer": "km", "lao": "lo", "sinhala": "si", "tamil": "ta", "javanese": "jv", "sundanese": "su",
    "pashto": "ps", "persian": "fa", "dari": "fa", "ukrainian": "uk", "polish": "pl", "romanian": "ro",
}
_CODE_IN_PARENS = re.compile(r"\(\s*([A-Za-z]{2,3})(?:[-_][A-Za-z0-9]+)?\s*\)\s*$")
_BARE_CODE = re.compile(r"^([A-Za-z]{2,3})(?:[-_][A-Za-z0-9]+)?$")


@dataclass(frozen=True)
class Column:
    """A header cell understood: ``key`` (canonical name), ``language`` for translations."""

    index: int
    header: str  # as written, for messages
    key: str
    language: str | None = None  # two-letter code, or None for the default-language column
    language_label: str | None = None  # the language part as written (for messages)
    bad_language: bool = False  # a language part was given but no two-letter code could be found


def language_code(text: str) -> str | None:
    """Two-letter code for ``English (en)``, ``english(en)``, ``en``, ``English``; None if unknown."""
    text = text.strip()
    match = _CODE_IN_PARENS.search(text)
    if match:
        code = match.group(1).lower()
        return code if len(code) == 2 else None
    match = _BARE_CODE.match(text)
    if match and len(match.group(1)) == 2:
        return match.group(1).lower()
    return LANGUAGE_NAMES.get(text.lower())


def parse_header(index: int, header: str) -> Column | None:
    """Understand one header cell; None for a blank header."""
    raw = header.strip()
    if not raw:
        return None
    text = raw
    lowered = text.lower()
    stripped = True
    while stripped:
        stripped = False
        for prefix in _PREFIXES:
            if lowered.startswith(prefix):
                text, lowered, stripped = text[len(prefix):], lowered[len(prefix):], True
    if "::" in text:
        base, _, rest = text.partition("::")
        base = base.strip().lower()
        if base == "media" and "::" in rest:  # media::image::English (en)
            base, _, rest = rest.partition("::")
            base = base.strip().lower()
        elif base == "media":
            base, rest = rest.strip().lower(), ""
    elif ":" in text and text.split(":", 1)[0].strip().lower() in TRANSLATABLE:
        base, _, rest = text.partition(":")  # legacy "label:English"
        base = base.strip().lower()
    else:
        base, rest = text.strip().lower(), ""
    key = _ALIASES.get(base, base.replace(" ", "_"))
    if not rest.strip():
        return Column(index, raw, key)
    if key not in TRANSLATABLE:
        # e.g. "instance::tag", "cht::notes": a namespaced extra column, kept whole.
        return Column(index, raw, f"{key}::{rest.strip().lower()}")
    code = language_code(rest)
    return Column(index, raw, key, code, rest.strip(), bad_language=code is None)

"""Labels of codes (training categories, KBLI sections and divisions, provinces) in id/en."""
from __future__ import annotations

from functools import lru_cache
from typing import Any

from .errors import SeedDataError
from .reference import category_labels, province_labels

LANGUAGES = ("id", "en")

SECTIONS_EN = {
    "A": "Agriculture, forestry and fishing", "B": "Mining and quarrying", "C": "Manufacturing",
    "D": "Electricity and gas", "E": "Water supply and waste", "F": "Construction",
    "G": "Wholesale and retail trade; vehicle repair", "H": "Transport and storage",
    "I": "Accommodation and food service", "J": "Information and communication",
    "K": "Finance and insurance", "L": "Real estate", "M": "Professional, scientific and technical",
    "N": "Administrative and support services", "O": "Public administration", "P": "Education",
    "Q": "Health and social work", "R": "Arts, entertainment and recreation", "S": "Other services",
    "T": "Households as employers", "U": "Extraterritorial bodies",
}


def check_language(lang: str) -> str:
    if lang not in LANGUAGES:
        raise ValueError(f"language must be one of {', '.join(LANGUAGES)}, got {lang!r}")
    return lang


@lru_cache(maxsize=1)
def _kbli_titles() -> dict[str, str]:
    try:
        from .sectors.kbli import load_kbli

        table = load_kbli().table
    except Exception:  # noqa: BLE001 - labels are a nicety; codes still print
        return {}
    return dict(zip(table["code"], table["title"]))


def category_label(code: Any, lang: str = "en") -> str:
    if code in ("(all)", None):
        return {"id": "Semua alumni", "en": "All alumni"}[lang] if code == "(all)" else ""
    try:
        return category_labels(lang).get(code, str(code))
    except SeedDataError:  # labels are a nicety; codes still print
        return str(code)


def province_label(code: Any, lang: str = "en") -> str:
    if code == "(all)":
        return {"id": "Semua provinsi", "en": "All provinces"}[lang]
    fallback = str(code) if isinstance(code, str) else "?"
    try:
        return province_labels().get(code, fallback) if isinstance(code, str) else fallback
    except SeedDataError:
        return fallback


def section_label(code: Any, lang: str = "en") -> str:
    if code == "(all)":
        return {"id": "Semua usaha", "en": "All businesses"}[lang]
    if lang == "en" and code in SECTIONS_EN:
        return SECTIONS_EN[code]
    return str(_kbli_titles().get(code, code))


def division_label(code: Any, lang: str = "en") -> str:
    """KBLI division title (the KBLI table is Indonesian; English uses it too)."""
    return str(_kbli_titles().get(code, code))

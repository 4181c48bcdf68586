"""Indonesia's provinces by their Kepmendagri (Ministry of Home Affairs) two-digit code.

The codes are the ones in the Ministry's area-code decree (Kepmendagri 100.1.1-6117/2022),
including the four provinces created from Papua in 2022 (93–96). Roster files carry the
code, never the name, because names are spelt in many ways across exports.

The list itself lives in one place, ``seeds/provinces.csv``, read through
:func:`analysis.reference.province_labels` (the analysis tables use the same reader).
"""
from __future__ import annotations

from analysis.reference import province_labels

PROVINCES: dict[str, str] = province_labels()

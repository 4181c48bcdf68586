"""The KBLI 2020 hierarchy: sections, divisions, groups, 5-digit codes.

The table in ``seeds/kbli/kbli2020.csv`` has one row per code with its level
(``digit`` 1-5).  Everything else in the package asks this module for the
parent of a code instead of slicing strings itself, so the rules (e.g. a
division's section is not derivable from its digits) live in one place.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path

import pandas as pd

from ..errors import SeedDataError
from ..resources import kbli_csv_path

_LEVEL_NAMES = {1: "section", 2: "division", 3: "group", 4: "subgroup", 5: "kbli5"}


@dataclass(frozen=True)
class KbliHierarchy:
    """Lookup tables for KBLI 2020.

    Attributes
    ----------
    table : pandas.DataFrame
        Columns ``level`` (1-5), ``code``, ``section``, ``title``, ``description``.
    division_section : dict
        Division code (``"10"``) to section letter (``"C"``).
    """

    table: pd.DataFrame
    division_section: dict[str, str] = field(default_factory=dict)

    @property
    def sections(self) -> list[str]:
        """Section letters A-U in order."""
        return sorted(self.table.loc[self.table.level == 1, "code"])

    @property
    def divisions(self) -> list[str]:
        """The 88 two-digit division codes in order."""
        return sorted(self.division_section)

    @property
    def kbli5_codes(self) -> list[str]:
        """All 5-digit codes in order."""
        return sorted(self.table.loc[self.table.level == 5, "code"])

    def title(self, code: str) -> str:
        """Official title of any code (section letter or 2-5 digits)."""
        row = self.table.loc[self.table.code == code]
        if row.empty:
            raise KeyError(code)
        return str(row.iloc[0]["title"])

    def level_of(self, code: str) -> str | None:
        """Name the level of ``code`` ('section', 'division', 'kbli5', ...), or None."""
        code = str(code).strip()
        if re.fullmatch(r"[A-U]", code):
            return "section"
        if re.fullmatch(r"\d{2,5}", code) and code[:2] in self.division_section:
            return _LEVEL_NAMES[len(code)]
        return None

    def division_of(self, code: str) -> str:
        """Division of a 2-5 digit code."""
        code = str(code).strip()
        if not re.fullmatch(r"\d{2,5}", code) or code[:2] not in self.division_section:
            raise KeyError(f"not a KBLI 2020 code below section level: {code!r}")
        return code[:2]

    def section_of(self, code: str) -> str:
        """Section letter of a section letter or a 2-5 digit code."""
        code = str(code).strip()
        if re.fullmatch(r"[A-U]", code):
            return code
        return self.division_section[self.division_of(code)]

    def is_kbli5(self, code: str) -> bool:
        """True if ``code`` is one of the 5-digit codes in the table."""
        return code in self._kbli5_set

    @cached_property
    def _kbli5_set(self) -> frozenset[str]:
        return frozenset(self.table.loc[self.table.level == 5, "code"])


def read_kbli_table(path: str | Path | None = None) -> pd.DataFrame:
    """Read and validate the KBLI CSV into a tidy frame.

    Parameters
    ----------
    path : str or Path, optional
        CSV with columns ``kategori, digit, kode, judul, deskripsi``;
        defaults to ``seeds/kbli/kbli2020.csv``.

    Returns
    -------
    pandas.DataFrame
        Columns ``level, code, section, title, description``.

    Examples
    --------
    >>> t = read_kbli_table()
    >>> int((t.level == 2).sum())
    88
    """
    path = Path(path) if path is not None else kbli_csv_path()
    if not path.is_file():
        raise SeedDataError(f"KBLI table not found at {path} (set JEJAK_SEEDS_DIR?)")
    raw = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    expected = {"kategori", "digit", "kode", "judul", "deskripsi"}
    if not expected <= set(raw.columns):
        raise SeedDataError(f"{path} lacks columns {sorted(expected - set(raw.columns))}")
    table = pd.DataFrame(
        {
            "level": raw["digit"].astype(int),
            "code": raw["kode"].str.strip(),
            "section": raw["kategori"].str.strip(),
            # Titles and descriptions carry stray runs of spaces and newlines.
            "title": raw["judul"].str.split().str.join(" "),
            "description": raw["deskripsi"].str.split().str.join(" "),
        }
    )
    if table["code"].duplicated().any():
        raise SeedDataError(f"{path} has duplicate codes")
    return table


@lru_cache(maxsize=4)
def _load(path_key: str) -> KbliHierarchy:
    table = read_kbli_table(path_key)
    divisions = table.loc[table.level == 2]
    mapping = dict(zip(divisions["code"], divisions["section"]))
    return KbliHierarchy(table=table, division_section=mapping)


def load_kbli(path: str | Path | None = None) -> KbliHierarchy:
    """Load the KBLI 2020 hierarchy (cached per path).

    Examples
    --------
    >>> k = load_kbli()
    >>> k.section_of("56303"), k.division_of("56303"), len(k.sections)
    ('I', '56', 21)
    """
    path = Path(path) if path is not None else kbli_csv_path()
    return _load(str(path.resolve()))


def reference_documents(kbli: KbliHierarchy, level: str, description_chars: int = 400) -> pd.DataFrame:
    """Official titles and descriptions as extra training text for ``level``.

    Each code at or below ``level`` yields two documents, its title alone and
    its title followed by the start of its description, labelled with its
    ancestor at ``level``.  Titles are short like survey answers; the
    descriptions add the vocabulary of typical activities ("misalnya
    warung atau toko bahan kebutuhan pokok").

    Parameters
    ----------
    kbli : KbliHierarchy
    level : {"section", "division", "kbli5"}
    description_chars : int, default 400
        Descriptions are cut here (at a word boundary) to bound training cost;
        the opening sentences name the activity, later ones list exclusions.

    Returns
    -------
    pandas.DataFrame
        Columns ``text``, ``label``, ``code``.

    Examples
    --------
    >>> docs = reference_documents(load_kbli(), "division")
    >>> sorted(docs.label.unique())[:3]
    ['01', '02', '03']
    """
    min_level = {"section": 1, "division": 2, "kbli5": 5}[level]
    rows = kbli.table.loc[kbli.table.level >= min_level]
    if level == "section":
        labels = rows["section"]
    elif level == "division":
        labels = rows["code"].str[:2]
    else:
        labels = rows["code"]
    descriptions = rows["description"].map(lambda d: _cut(d, description_chars))
    titles = pd.DataFrame({"text": rows["title"], "label": labels, "code": rows["code"]})
    longer = pd.DataFrame({"text": rows["title"] + ". " + descriptions, "label": labels, "code": rows["code"]})
    return pd.concat([titles, longer], ignore_index=True)


def _cut(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0]


# --- 5-digit example documents (kbli5 helper, issue 13 item 4) -----------------
# Survey answers say "jual beras di pasar", the KBLI title says "Perdagangan
# Eceran Kaki Lima Dan Los Pasar Beras".  The rules below rewrite a 5-digit
# title into the words people use for the same activity (the object of the
# title after its activity prefix, with the verbs answers use), and turn the
# description into short examples: each sentence on its own, and each item of
# its "seperti/misalnya/antara lain" lists with the title's verb.  Sentences
# that send an activity to another 5-digit code ("... dimasukkan dalam
# kelompok 10793") become examples of *that* code instead.
_TITLE_VERBS: tuple[tuple[re.Pattern[str], tuple[str, ...]], ...] = tuple(
    (re.compile(pattern), verbs) for pattern, verbs in (
        (r"^perdagangan eceran kaki lima dan los pasar (?:komoditi )?", ("jual {} di pasar", "dagang {} kaki lima")),
        (r"^perdagangan eceran keliling (?:komoditi )?", ("jual {} keliling", "dagang {} keliling")),
        (r"^perdagangan eceran melalui media untuk (?:komoditi |barang )?", ("jual {} online", "olshop {}")),
        (r"^perdagangan eceran (?:khusus )?", ("toko {}", "jual {}")),
        (r"^perdagangan besar (?:atas dasar balas jasa \(fee\) atau kontrak )?", ("grosir {}", "supplier {}")),
        (r"^industri (?:pengolahan dan pengawetan |pembuatan )?", ("produksi {}", "bikin {}")),
        (r"^(?:pertanian|perkebunan) (?:tanaman )?(?:hortikultura )?", ("tanam {}", "petani {}")),
        (r"^pembibitan dan budidaya ", ("ternak {}", "budidaya {}")),
        (r"^(?:pembesaran|pembenihan) ", ("budidaya {}", "bibit {}")),
        (r"^penangkapan ", ("tangkap {}", "nelayan {}")),
        (r"^reparasi (?:dan perawatan )?", ("servis {}", "bengkel {}")),
        (r"^aktivitas penyewaan dan sewa guna usaha tanpa hak opsi ", ("sewa {}", "rental {}")),
        (r"^angkutan ", ("angkutan {}", "sopir {}")),
        (r"^jasa ", ("jasa {}",)),
        (r"^(?:aktivitas|kegiatan) (?:jasa )?", ("{}", "usaha {}")),
    ))
_LIST_START = re.compile(r"\b(?:seperti|misalnya|antara lain|contohnya|meliputi)\b:?\s*")
_LIST_END = re.compile(r"\b(?:dan|atau)\s+(?:lain-lain|lainnya|sejenisnya|sebagainya)\b|\bdll\b|\bdsb\b|\(")
_ITEM_SPLIT = re.compile(r",|;|/|\bdan\b|\batau\b|\bserta\b")
_ELSEWHERE = re.compile(r"(?:dimasukkan|dicakup|dicatat|diklasifikasikan|termasuk)\s+(?:ke\s+)?(?:dalam\s+)?"
                        r"(?:sub\s*golongan|subgolongan|kelompok|golongan)\s+(\d{5})\b")
_EXCLUDED = re.compile(r"\btidak termasuk\b|\bdikecualikan\b|\bkecuali\b")
_BOILERPLATE = re.compile(r"^(?:kelompok|subgolongan|golongan) ini mencakup (?:usaha |kegiatan )*|"
                          r"^termasuk (?:juga |pula )?(?:dalam kelompok ini )?(?:usaha |kegiatan )*")
MAX_LIST_ITEMS = 8
MAX_ITEM_WORDS = 5


def _title_object(title: str) -> tuple[str, tuple[str, ...]]:
    """The activity's object and the verb templates people use for it."""
    lowered = " ".join(title.lower().split())
    for pattern, verbs in _TITLE_VERBS:
        match = pattern.match(lowered)
        if match and lowered[match.end():]:
            return lowered[match.end():], verbs
    return lowered, ("{}",)


def _list_items(sentence: str) -> list[str]:
    """Items of the example lists in a description sentence (short noun phrases)."""
    items: list[str] = []
    for start in _LIST_START.finditer(sentence):
        rest = sentence[start.end():]
        end = _LIST_END.search(rest)
        rest = rest[:end.start()] if end else rest
        for item in _ITEM_SPLIT.split(rest):
            words = item.split()
            if 0 < len(words) <= MAX_ITEM_WORDS:
                items.append(" ".join(words))
    return items[:MAX_LIST_ITEMS]


def kbli5_example_documents(kbli: KbliHierarchy) -> pd.DataFrame:
    """Short example texts per 5-digit code derived from its title and description.

    For 5-digit suggestions (not for the division model): rewritten titles
    ("jual beras di pasar" for *Perdagangan Eceran Kaki Lima Dan Los Pasar
    Beras*), every description sentence on its own (the opening boilerplate
    removed), each list item with the title's verb ("produksi opak"), and
    sentences naming another 5-digit code as where an activity belongs,
    attributed to that code.  Sentences about exclusions are dropped.

    Returns
    -------
    pandas.DataFrame
        Columns ``text``, ``code`` (several rows per code).

    Examples
    --------
    >>> docs = kbli5_example_documents(load_kbli())
    >>> "jual beras di pasar" in set(docs.loc[docs.code == "47821", "text"])
    True
    """
    rows = kbli.table.loc[kbli.table.level == 5, ["code", "title", "description"]]
    out: list[tuple[str, str]] = []
    for code, title, description in rows.itertuples(index=False):
        obj, verbs = _title_object(title)
        out.extend((verb.format(obj), code) for verb in verbs)
        first_verb = verbs[0]
        for sentence in re.split(r"(?<=[.;])\s+", description.lower()):
            elsewhere = _ELSEWHERE.search(sentence)
            if elsewhere:
                other = elsewhere.group(1)
                if other != code and kbli.is_kbli5(other):
                    out.append((sentence[:elsewhere.start()].strip(" ,.;"), other))
                continue
            if _EXCLUDED.search(sentence):
                continue
            text = _BOILERPLATE.sub("", sentence.strip()).strip(" ,.;")
            if len(text.split()) >= 2:
                out.append((text, code))
            out.extend((first_verb.format(item), code) for item in _list_items(sentence))
    docs = pd.DataFrame(out, columns=["text", "code"])
    return docs.loc[docs["text"].str.strip() != ""].drop_duplicates().reset_index(drop=True)

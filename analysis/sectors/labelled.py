"""The labelled set of alumni business descriptions.

Source batches (``seeds/sectors/batches/*.txt``, one ``kbli5|text`` per line)
are compiled into ``seeds/sectors/labelled_descriptions.csv`` with columns
``id, text, kbli5, division, section, split, register``.  A batch declares
its writing register in a ``# register: NAME`` line (one of
:data:`REGISTERS`); batches without one are ``alumni`` (the original set).

Deterministic rules (documented in docs/SECTORS.md):

* **Deduplication key**: the text case-folded, reduced to its word characters
  and single spaces.  Two answers with the same key are one example; if they
  carry different codes the build fails, because one of them is mislabelled.
* **id**: ``"d"`` + the first 10 hex digits of SHA-1 of the key, so an example
  keeps its id when other rows are added or removed.
* **split**: ``"test"`` when the first 8 hex digits of SHA-256 of
  ``"jejak-split-v1:" + key``, read as an integer, are < 20 modulo 100
  (about 20 %), else ``"train"``.  ``key`` is the id for the ``alumni``
  register; for the other registers it is the id of the text with case,
  punctuation and vowels after each word's first letter removed, so an
  answer and its upper-case or vowel-less SMS twin ("JUAL PULSA", "jl pls")
  always fall in the same split.  Adding examples never moves old ones.

**5-digit documents** (helper ``kbli5d``): a batch with a ``# use: kbli5``
line holds answers written only to teach the 5-digit ranker the codes that
have few labelled answers.  They are not part of the labelled set (no split,
never evaluated) and are compiled into ``seeds/sectors/kbli5_documents.csv``
(:func:`build_kbli5_documents`); the default model gives them to
:meth:`.model.SectorClassifier.fit` as ``kbli5_documents``, which adds them to
the 5-digit centroids and code SVMs only, like the KBLI example documents.
"""
from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pandas as pd

from ..errors import SeedDataError
from ..resources import labelled_csv_path, seeds_dir
from .kbli import KbliHierarchy, load_kbli
from .normalize import consonant_skeleton

COLUMNS = ["id", "text", "kbli5", "division", "section", "split", "register"]
REGISTERS = ("alumni", "enumerator", "sms", "regional", "english", "short", "long")
"""Writing registers of the labelled set (evaluation is reported per register):
``alumni`` the original informal answers; ``enumerator`` field-survey entries
(upper case, typos, "job; product; field" joined by "; "); ``sms`` heavy
abbreviation and dropped vowels; ``regional`` Javanese/Sundanese/Minang/Betawi
everyday words; ``english``; ``short`` one or two words; ``long``
multi-activity answers of several sentences."""
_DIRECTIVE_LINE = re.compile(r"#\s*(register|use):\s*(\w+)\s*$")
USES = ("labelled", "kbli5")
"""What a batch's rows are for (a ``# use: NAME`` line; default ``labelled``):
``labelled`` answers of the labelled set (split into train and test);
``kbli5`` 5-digit documents that only feed the 5-digit ranker."""
KBLI5_DOCUMENT_COLUMNS = ["id", "text", "kbli5", "register"]
TEST_PERCENT = 20
_SPLIT_SALT = "jejak-split-v1:"


def dedup_key(text: str) -> str:
    """Key under which two descriptions count as duplicates.

    Examples
    --------
    >>> dedup_key("Jual  Baju!!")
    'jual baju'
    """
    return " ".join(re.findall(r"\w+", str(text).casefold()))


def example_id(text: str) -> str:
    """Stable id of a description, derived from its deduplication key.

    Examples
    --------
    >>> example_id("jual baju") == example_id("JUAL BAJU!")
    True
    """
    return "d" + hashlib.sha1(dedup_key(text).encode("utf-8"), usedforsecurity=False).hexdigest()[:10]


def split_for_id(example: str) -> str:
    """Return ``"test"`` or ``"train"`` for an example id (about 20 % test).

    Examples
    --------
    >>> split_for_id("d0000000000") in {"train", "test"}
    True
    """
    digest = hashlib.sha256((_SPLIT_SALT + example).encode("utf-8")).hexdigest()
    return "test" if int(digest[:8], 16) % 100 < TEST_PERCENT else "train"


def split_key(text: str, register: str) -> str:
    """The key a row's split is drawn from (see the module docstring).

    Examples
    --------
    >>> split_key("JUAL PULSA!", "sms") == split_key("jl pls", "sms")
    True
    """
    if register == "alumni":
        return example_id(text)
    # Case, punctuation and dropped vowels folded, without the lexicon (so
    # editing the lexicon never moves a row between splits).
    return example_id(" ".join(consonant_skeleton(word) for word in dedup_key(text).split()))


def split_for_row(text: str, register: str) -> str:
    """Split of a labelled answer under the rule in the module docstring.

    Examples
    --------
    >>> split_for_row("JUAL PULSA", "enumerator") == split_for_row("jl pls!", "sms")
    True
    """
    return split_for_id(split_key(text, register))


def read_batches(batch_dir: str | Path) -> pd.DataFrame:
    """Read ``kbli5|text`` lines from every ``*.txt`` file in ``batch_dir``.

    Blank lines and lines starting with ``#`` are ignored, except a
    ``# register: NAME`` line, which sets the register of the file's rows,
    and a ``# use: NAME`` line (one of :data:`USES`), which sets their use.
    """
    rows = []
    for path in sorted(Path(batch_dir).glob("*.txt")):
        declared = {"register": "alumni", "use": "labelled"}
        for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            line = line.strip()
            directive = _DIRECTIVE_LINE.fullmatch(line)
            if directive:
                name, value = directive.groups()
                allowed = REGISTERS if name == "register" else USES
                if value not in allowed:
                    raise SeedDataError(f"{path.name}:{lineno}: unknown {name} {value!r}; use one of {allowed}")
                declared[name] = value
                continue
            if not line or line.startswith("#"):
                continue
            code, sep, text = line.partition("|")
            if not sep or not re.fullmatch(r"\d{5}", code.strip()) or not text.strip():
                raise SeedDataError(f"{path.name}:{lineno}: expected 'kbli5|text', got {line!r}")
            rows.append({"kbli5": code.strip(), "text": text.strip(), "source": f"{path.name}:{lineno}",
                         "register": declared["register"], "use": declared["use"]})
    return pd.DataFrame(rows, columns=["kbli5", "text", "source", "register", "use"])


def _checked_batches(batch_dir: str | Path, kbli: KbliHierarchy) -> pd.DataFrame:
    """All batch rows with their ids, after the checks every build shares.

    Raises
    ------
    SeedDataError
        On codes not in KBLI 2020, or on the same text (deduplication key)
        carrying different codes anywhere in the batches, whatever their use.
    """
    raw = read_batches(batch_dir)
    unknown = raw.loc[~raw["kbli5"].map(kbli.is_kbli5)]
    if not unknown.empty:
        listing = "; ".join(f"{r.source} {r.kbli5}" for r in unknown.itertuples())
        raise SeedDataError(f"codes not in KBLI 2020: {listing}")
    raw["id"] = raw["text"].map(example_id)
    conflicts = raw.groupby("id")["kbli5"].nunique()
    conflicts = conflicts[conflicts > 1]
    if not conflicts.empty:
        bad = raw.loc[raw["id"].isin(conflicts.index)].sort_values("id")
        listing = "; ".join(f"{r.source} {r.kbli5} {r.text!r}" for r in bad.itertuples())
        raise SeedDataError(f"duplicate texts with different codes: {listing}")
    return raw


def build_labelled_set(batch_dir: str | Path, kbli: KbliHierarchy | None = None) -> pd.DataFrame:
    """Compile source batches into the labelled table (deduplicated, split).

    Raises
    ------
    SeedDataError
        On unknown codes or on duplicates that carry different codes.
    """
    kbli = kbli or load_kbli()
    raw = _checked_batches(batch_dir, kbli)
    table = raw.loc[raw["use"] == "labelled"].drop_duplicates("id").copy()
    table["division"] = table["kbli5"].str[:2]
    table["section"] = table["kbli5"].map(kbli.section_of)
    table["split"] = [split_for_row(t, r) for t, r in zip(table["text"], table["register"])]
    return table[COLUMNS].reset_index(drop=True)


def build_kbli5_documents(batch_dir: str | Path, kbli: KbliHierarchy | None = None) -> pd.DataFrame:
    """Compile the ``# use: kbli5`` batches into the 5-digit documents table.

    Columns :data:`KBLI5_DOCUMENT_COLUMNS`.  Deduplicated like the labelled
    set; a document whose text is also a labelled answer (of either split) is
    dropped, so no held-out answer's text ever trains the 5-digit ranker.

    Raises
    ------
    SeedDataError
        On unknown codes or texts carrying different codes (see
        :func:`build_labelled_set`).
    """
    kbli = kbli or load_kbli()
    raw = _checked_batches(batch_dir, kbli)
    labelled_ids = set(raw.loc[raw["use"] == "labelled", "id"])
    table = raw.loc[(raw["use"] == "kbli5") & ~raw["id"].isin(labelled_ids)].drop_duplicates("id")
    return table[KBLI5_DOCUMENT_COLUMNS].reset_index(drop=True)


def kbli5_documents_path() -> Path:
    """Path of the compiled 5-digit documents, next to the labelled set."""
    return labelled_csv_path().with_name("kbli5_documents.csv")


def load_kbli5_documents(path: str | Path | None = None) -> pd.DataFrame:
    """Load the 5-digit documents compiled by :func:`build_kbli5_documents`.

    Examples
    --------
    >>> list(load_kbli5_documents().columns)
    ['id', 'text', 'kbli5', 'register']
    """
    return _read_seed_table(path if path is not None else kbli5_documents_path(), KBLI5_DOCUMENT_COLUMNS,
                            "5-digit documents")


def load_labelled(path: str | Path | None = None, split: str | None = None) -> pd.DataFrame:
    """Load the labelled descriptions, optionally one split only.

    Parameters
    ----------
    path : str or Path, optional
        Defaults to ``seeds/sectors/labelled_descriptions.csv``.
    split : {"train", "test"}, optional
        Keep only that split.  Training code must ask for ``"train"``.

    Examples
    --------
    >>> train = load_labelled(split="train")
    >>> set(train["split"])
    {'train'}
    """
    table = _read_seed_table(path if path is not None else labelled_csv_path(), COLUMNS, "labelled set")
    if split is not None:
        if split not in {"train", "test"}:
            raise ValueError(f"split must be 'train' or 'test', not {split!r}")
        table = table.loc[table["split"] == split].reset_index(drop=True)
    return table


def _read_seed_table(path: str | Path, columns: list[str], what: str) -> pd.DataFrame:
    """A compiled seed CSV as text columns; refuses a missing file or missing columns."""
    path = Path(path)
    if not path.is_file():
        raise SeedDataError(f"{what} not found at {path} (set JEJAK_SEEDS_DIR?)")
    table = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    missing = set(columns) - set(table.columns)
    if missing:
        raise SeedDataError(f"{path} lacks columns {sorted(missing)}")
    return table


def main() -> None:
    """Rebuild ``labelled_descriptions.csv`` and ``kbli5_documents.csv`` from the source batches."""
    batch_dir = seeds_dir() / "sectors" / "batches"
    table = build_labelled_set(batch_dir)
    out = labelled_csv_path()
    table.to_csv(out, index=False, encoding="utf-8", lineterminator="\n")
    print(f"wrote {len(table)} examples ({(table.split == 'test').sum()} test) to {out}")
    documents = build_kbli5_documents(batch_dir)
    documents.to_csv(kbli5_documents_path(), index=False, encoding="utf-8", lineterminator="\n")
    print(f"wrote {len(documents)} 5-digit documents to {kbli5_documents_path()}")


if __name__ == "__main__":
    main()

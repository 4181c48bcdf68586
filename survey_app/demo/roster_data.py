"""Synthetic but realistic roster data: alumni of a Prakerja-like programme and their trainings.

Everything is a plain function of ``(n, seed, reference)``, deterministic for a seed, and
streamed: rows come from generators, so half a million alumni never sit in memory. The same
generator feeds the CSV writer (``flask demo roster``) and :func:`load_roster`, which loads
straight into the database through the roster import service (same checks as a CSV import).

Reference data comes from the seeds: ``trainings.csv`` (the catalogue),
``training_categories.csv`` (``popularity``: how often a category is bought) and
``provinces.csv`` (``population_weight``).
"""
from __future__ import annotations

import csv
import random
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import accumulate
from pathlib import Path

ALUMNUS_HEADER = ("external_id", "name", "phone", "email", "province", "sex", "birth_year", "cohort")
ENROLLMENT_HEADER = ("external_id", "training_code", "completed_at")

COHORTS = 30
# Gelombang 1 opened in April 2020; later waves followed every six weeks or so, the last in 2023.
FIRST_COHORT_OPENS = date(2020, 4, 11)
DAYS_BETWEEN_COHORTS = 44
LAST_COMPLETION = date(2023, 12, 31)
# Early waves were the largest (the 2020 pandemic response), later ones smaller.
COHORT_WEIGHTS = [1.6 if k <= 11 else 1.0 if k <= 20 else 0.7 for k in range(1, COHORTS + 1)]
# Age at joining: participants are 18+, most of them young adults.
AGE_BANDS = [((18, 24), 0.33), ((25, 34), 0.38), ((35, 44), 0.18), ((45, 54), 0.08), ((55, 64), 0.03)]
TRAININGS_PER_ALUMNUS = [(1, 0.30), (2, 0.40), (3, 0.30)]  # mean 2.0
EMAIL_SHARE = 0.60
NOT_COMPLETED_SHARE = 0.04  # enrolled, no completion date recorded
SINGLE_NAME_SHARE = 0.18  # many Indonesians have one name only

MALE_NAMES = (
    "Agus", "Budi", "Dedi", "Eko", "Fajar", "Hendra", "Irfan", "Joko", "Muhammad", "Rizki",
    "Slamet", "Teguh", "Wahyu", "Yusuf", "Andi", "Bayu", "Dimas", "Gilang", "Hadi", "Imam",
    "Arif", "Ahmad", "Rudi", "Sigit", "Bambang", "Dwi", "Adi", "Rahmat", "Ilham", "Reza",
    "Aditya", "Yoga", "Ridwan", "Fikri", "Galih", "Wawan", "Heru", "Iwan", "Dani", "Fauzan",
    "Made", "Ketut", "Nyoman", "Wayan", "Yohanes", "Stefanus", "Daniel", "Rian", "Taufik", "Zulkifli",
)
FEMALE_NAMES = (
    "Siti", "Sri", "Dewi", "Ayu", "Fitri", "Indah", "Nur", "Putri", "Rina", "Wulan",
    "Yuni", "Ani", "Dian", "Eka", "Kartika", "Maya", "Novi", "Ratna", "Rizka", "Sari",
    "Tri", "Yanti", "Anisa", "Desi", "Intan", "Lina", "Mega", "Nurul", "Ratih", "Santi",
    "Tika", "Umi", "Vina", "Winda", "Citra", "Aisyah", "Nabila", "Dinda", "Ika", "Lia",
    "Luh", "Kadek", "Maria", "Theresia", "Fransiska", "Evi", "Rahma", "Yulia", "Nanda", "Zahra",
)
MALE_SECOND_NAMES = ("Saputra", "Syahputra", "Pratama", "Nugroho", "Setiawan", "Kurniawan",
                     "Hidayat", "Firmansyah", "Ramadhan", "Maulana", "Prasetyo", "Wibowo")
FEMALE_SECOND_NAMES = ("Lestari", "Rahayu", "Wulandari", "Handayani", "Anggraini", "Safitri",
                       "Puspitasari", "Ningsih", "Susanti", "Permatasari", "Kusumawati", "Utami")
FAMILY_NAMES = (
    "Santoso", "Wijaya", "Siregar", "Harahap", "Nasution", "Lubis", "Simanjuntak", "Sinaga",
    "Purba", "Hutapea", "Susanto", "Gunawan", "Hakim", "Hasibuan", "Tanjung", "Rahman", "Hasan",
    "Fauzi", "Utomo", "Wahyudi", "Kusuma", "Manurung", "Tambunan", "Sembiring", "Ginting",
    "Pattiasina", "Mandagi", "Sitompul", "Panjaitan", "Halim", "Tanoto", "Lumban Gaol",
)
# Mobile prefixes after +62 (Telkomsel, Indosat, XL, Axis, Tri, Smartfren) with rough shares.
PHONE_PREFIXES = [("811", 3), ("812", 9), ("813", 9), ("821", 8), ("822", 8), ("823", 5),
                  ("852", 7), ("853", 6), ("851", 2), ("814", 1), ("815", 2), ("816", 2),
                  ("855", 2), ("856", 5), ("857", 5), ("858", 3), ("817", 2), ("818", 2),
                  ("819", 3), ("859", 2), ("877", 4), ("878", 4), ("831", 1), ("838", 2),
                  ("895", 3), ("896", 3), ("897", 1), ("898", 2), ("899", 1), ("881", 1),
                  ("882", 1), ("888", 1)]
EMAIL_DOMAINS = [("gmail.com", 78), ("yahoo.com", 8), ("yahoo.co.id", 6), ("outlook.com", 3),
                 ("ymail.com", 2), ("hotmail.com", 2), ("icloud.com", 1)]


class DemoDataError(Exception):
    """The seeds needed to generate demo data are missing or malformed."""


@dataclass(frozen=True)
class Reference:
    """The seed data the generator draws from."""

    trainings_csv: Path
    trainings_by_category: dict[str, tuple[str, ...]]
    category_weights: dict[str, float]
    province_weights: dict[str, float]


@dataclass(frozen=True)
class RosterFiles:
    """What :func:`write_roster_csv` wrote."""

    trainings: Path
    alumni: Path
    enrollments: Path
    alumni_rows: int
    enrollment_rows: int


def load_reference(seeds_dir: str | Path) -> Reference:
    """Read the training catalogue, category popularity and province weights from the seeds."""
    seeds_dir = Path(seeds_dir)
    trainings_csv = seeds_dir / "trainings.csv"
    by_category: dict[str, list[str]] = {}
    for row in _read_seed(trainings_csv, ("code", "category")):
        by_category.setdefault(row["category"].strip(), []).append(row["code"].strip())
    categories = {row["code"].strip(): _weight(row, "popularity", seeds_dir / "training_categories.csv")
                  for row in _read_seed(seeds_dir / "training_categories.csv", ("code", "popularity"))}
    provinces = {row["code"].strip(): _weight(row, "population_weight", seeds_dir / "provinces.csv")
                 for row in _read_seed(seeds_dir / "provinces.csv", ("code", "population_weight"))}
    # Only categories that have trainings can be drawn; unlisted categories get a small weight.
    floor = min(categories.values(), default=1.0) / 2 or 1.0
    weights = {cat: categories.get(cat, floor) for cat in by_category}
    if not weights or not sum(weights.values()):
        raise DemoDataError(f"{trainings_csv} lists no trainings")
    if not provinces or not sum(provinces.values()):
        raise DemoDataError(f"{seeds_dir / 'provinces.csv'} lists no provinces")
    return Reference(trainings_csv, {c: tuple(codes) for c, codes in by_category.items()},
                     weights, provinces)


def roster_rows(n: int, seed: int, reference: Reference) -> Iterator[tuple[dict, list[dict]]]:
    """Yield ``n`` alumni, each with its 1–3 enrollments, as CSV-ready dicts of strings."""
    # Reproducible synthetic demo data, not a secret.
    rng = random.Random(seed)  # noqa: S311  # nosec B311
    pick = _Picker(rng, reference)
    for number in range(1, n + 1):
        sex = "F" if rng.random() < 0.5 else "M"
        cohort = pick.cohort()
        opens = FIRST_COHORT_OPENS + timedelta(days=DAYS_BETWEEN_COHORTS * (cohort - 1))
        given, full_name = pick.name(sex)
        external_id = f"PKJ{number:08d}"
        alumnus = {
            "external_id": external_id,
            "name": full_name,
            "phone": pick.phone(),
            "email": pick.email(given, full_name) if rng.random() < EMAIL_SHARE else "",
            "province": pick.province(),
            "sex": sex,
            "birth_year": str(opens.year - pick.age()),
            "cohort": f"G{cohort:02d}",
        }
        enrollments = [
            {"external_id": external_id, "training_code": code,
             "completed_at": pick.completion(opens)}
            for code in pick.trainings()
        ]
        yield alumnus, enrollments


def alumni_rows(n: int, seed: int, reference: Reference) -> Iterator[dict]:
    """Only the alumni of :func:`roster_rows` (same seed, same people)."""
    return (alumnus for alumnus, _ in roster_rows(n, seed, reference))


def enrollment_rows(n: int, seed: int, reference: Reference) -> Iterator[dict]:
    """Only the enrollments of :func:`roster_rows` (same seed, same people)."""
    return (row for _, enrollments in roster_rows(n, seed, reference) for row in enrollments)


def load_roster(engine, n: int, seed: int, reference: Reference, *, actor: str = "demo"):
    """Import the seed catalogue and ``n`` generated alumni with their enrollments straight into
    the database, through the same checks as a CSV import; returns the import report."""
    from survey_app.roster.csv_files import records_from_dicts
    from survey_app.roster.importer import import_roster

    catalogue = _read_seed(reference.trainings_csv, ("code", "title", "provider", "category"))
    return import_roster(
        engine,
        trainings=records_from_dicts("trainings (seeds)", catalogue),
        alumni=records_from_dicts("alumni (generated)", alumni_rows(n, seed, reference)),
        enrollments=records_from_dicts("enrollments (generated)", enrollment_rows(n, seed, reference)),
        actor=actor,
    )


def write_roster_csv(out_dir: str | Path, n: int, seed: int, reference: Reference) -> RosterFiles:
    """Write trainings.csv (the seed catalogue), alumni.csv and enrollments.csv into ``out_dir``."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    files = RosterFiles(out_dir / "trainings.csv", out_dir / "alumni.csv", out_dir / "enrollments.csv", n, 0)
    shutil.copyfile(reference.trainings_csv, files.trainings)
    enrollment_count = 0
    with files.alumni.open("w", newline="", encoding="utf-8") as alumni_fh, \
            files.enrollments.open("w", newline="", encoding="utf-8") as enrollments_fh:
        alumni_out = csv.writer(alumni_fh)
        enrollments_out = csv.writer(enrollments_fh)
        alumni_out.writerow(ALUMNUS_HEADER)
        enrollments_out.writerow(ENROLLMENT_HEADER)
        for alumnus, enrollments in roster_rows(n, seed, reference):
            alumni_out.writerow(alumnus.values())
            enrollments_out.writerows(row.values() for row in enrollments)
            enrollment_count += len(enrollments)
    return RosterFiles(files.trainings, files.alumni, files.enrollments, n, enrollment_count)


class _Picker:
    """Weighted draws from one random generator (cumulative weights are computed once)."""

    def __init__(self, rng: random.Random, reference: Reference):
        self.rng = rng
        self.reference = reference
        self._provinces = _Weighted(reference.province_weights.items())
        self._categories = _Weighted(reference.category_weights.items())
        self._cohorts = _Weighted(enumerate(COHORT_WEIGHTS, start=1))
        self._ages = _Weighted(AGE_BANDS)
        self._counts = _Weighted(TRAININGS_PER_ALUMNUS)
        self._prefixes = _Weighted(PHONE_PREFIXES)
        self._domains = _Weighted(EMAIL_DOMAINS)
        self._distinct_trainings = sum(len(c) for c in reference.trainings_by_category.values())

    def province(self) -> str:
        return self._provinces.draw(self.rng)

    def cohort(self) -> int:
        return self._cohorts.draw(self.rng)

    def age(self) -> int:
        low, high = self._ages.draw(self.rng)
        return self.rng.randint(low, high)

    def name(self, sex: str) -> tuple[str, str]:
        rng = self.rng
        given = rng.choice(FEMALE_NAMES if sex == "F" else MALE_NAMES)
        roll = rng.random()
        if roll < SINGLE_NAME_SHARE:
            return given, given
        if roll < 0.55:
            second = rng.choice(FEMALE_SECOND_NAMES if sex == "F" else MALE_SECOND_NAMES)
        else:
            second = rng.choice(FAMILY_NAMES)
        return given, f"{given} {second}"

    def phone(self) -> str:
        rng = self.rng
        digits = rng.randint(7, 8)
        return f"+62{self._prefixes.draw(rng)}{rng.randrange(10 ** digits):0{digits}d}"

    def email(self, given: str, full_name: str) -> str:
        rng = self.rng
        local = full_name.lower().replace(" ", rng.choice((".", "", "_")))
        if rng.random() < 0.6:
            local += str(rng.randint(1, 999))
        return f"{local}@{self._domains.draw(rng)}"

    def trainings(self) -> list[str]:
        wanted = min(self._counts.draw(self.rng), self._distinct_trainings)
        chosen: list[str] = []
        while len(chosen) < wanted:
            code = self.rng.choice(self.reference.trainings_by_category[self._categories.draw(self.rng)])
            if code not in chosen:
                chosen.append(code)
        return chosen

    def completion(self, opens: date) -> str:
        if self.rng.random() < NOT_COMPLETED_SHARE:
            return ""
        finished = opens + timedelta(days=self.rng.randint(5, 120))
        return min(finished, LAST_COMPLETION).isoformat()


class _Weighted:
    """A fixed weighted choice: ``random.choices`` with precomputed cumulative weights."""

    def __init__(self, items):
        items = list(items)
        self.values = [value for value, _ in items]
        self.cumulative = list(accumulate(weight for _, weight in items))

    def draw(self, rng: random.Random):
        return rng.choices(self.values, cum_weights=self.cumulative)[0]


def _read_seed(path: Path, required: tuple[str, ...]) -> list[dict]:
    try:
        with path.open(newline="", encoding="utf-8-sig") as fh:
            reader = csv.DictReader(fh)
            missing = [c for c in required if c not in (reader.fieldnames or ())]
            if missing:
                raise DemoDataError(f"{path} lacks column(s): {', '.join(missing)}")
            return list(reader)
    except FileNotFoundError:
        raise DemoDataError(f"seed file {path} not found (set SEEDS_DIR or add the file)") from None
    except UnicodeDecodeError:
        raise DemoDataError(f"seed file {path} is not UTF-8") from None


def _weight(row: dict, column: str, path: Path) -> float:
    try:
        weight = float(row[column])
    except (TypeError, ValueError):
        raise DemoDataError(f"{path}: {column} {row[column]!r} is not a number") from None
    if weight < 0:
        raise DemoDataError(f"{path}: {column} must not be negative")
    return weight

"""Benchmark: XLSForm import and export against pyxform (the reference converter), same run.

A synthetic form at the size of the largest real forms the issue names (~700 survey rows,
10 languages, skip logic and constraints on every question) is written with openpyxl, then:

* baseline — pyxform's ``convert`` (xls2xform, validate=False) of that workbook;
* import — ``import_xlsform`` (workbook → Jejak definition, all checks and translations);
* export — ``export_xlsform`` of the imported definition (definition → workbook).

Each is timed ``--rounds`` times; medians and the import/baseline ratio are printed.
Usage: python bench/bench_xlsform.py [--rounds 5] [--groups 35] [--per-group 18]
This is a benchmark, not a test: it prints figures and exits 0.
"""
from __future__ import annotations

import argparse
import io
import platform
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import openpyxl  # noqa: E402
from pyxform.xls2xform import convert  # noqa: E402

from survey_app.xlsform.importer import import_xlsform  # noqa: E402
from survey_app.xlsform.writer import export_xlsform  # noqa: E402

LANGUAGES = ["English (en)", "Indonesian (id)", "French (fr)", "Spanish (es)", "Swahili (sw)", "Hindi (hi)",
             "Nepali (ne)", "Portuguese (pt)", "Arabic (ar)", "Chinese (zh)"]


def synthetic_form(groups: int, per_group: int) -> bytes:
    """~groups × (per_group + 2) rows, 10 languages, a select and a skip rule per question."""
    book = openpyxl.Workbook()
    survey = book.active
    survey.title = "survey"
    survey.append(["type", "name", *[f"label::{lang}" for lang in LANGUAGES],
                   *[f"hint::{lang}" for lang in LANGUAGES], "relevant", "constraint",
                   *[f"constraint_message::{lang}" for lang in LANGUAGES], "required"])
    number = 0
    for group in range(groups):
        survey.append(["begin group", f"g{group}", *[f"Section {group} ({lang})" for lang in LANGUAGES]])
        for index in range(per_group):
            number += 1
            kind = "select_one yes_no" if index % 3 == 0 else "integer"
            relevant = f"${{q{number - 1}}} != ''" if index else ""
            constraint = ". >= 0 and . <= 120" if kind == "integer" else ""
            messages = [f"0-120 ({lang})" if constraint else "" for lang in LANGUAGES]
            survey.append([kind, f"q{number}", *[f"Question {number} ({lang})" for lang in LANGUAGES],
                           *[f"Hint {number} ({lang})" for lang in LANGUAGES], relevant, constraint, *messages,
                           "yes"])
        survey.append(["end group"])
    choices = book.create_sheet("choices")
    choices.append(["list_name", "name", *[f"label::{lang}" for lang in LANGUAGES]])
    choices.append(["yes_no", "yes", *[f"Yes ({lang})" for lang in LANGUAGES]])
    choices.append(["yes_no", "no", *[f"No ({lang})" for lang in LANGUAGES]])
    settings = book.create_sheet("settings")
    settings.append(["form_title", "form_id", "default_language"])
    settings.append(["Synthetic", "synthetic", "Indonesian (id)"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def timed(function, rounds: int) -> float:
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--groups", type=int, default=35)
    parser.add_argument("--per-group", type=int, default=18)
    args = parser.parse_args()
    data = synthetic_form(args.groups, args.per_group)
    rows = args.groups * (args.per_group + 2)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "synthetic.xlsx"
        path.write_bytes(data)
        baseline = timed(lambda: convert(xlsform=str(path), validate=False), args.rounds)
    definition = import_xlsform(data).definition
    imported = timed(lambda: import_xlsform(data), args.rounds)
    exported = timed(lambda: export_xlsform(definition), args.rounds)
    print(f"# bench_xlsform — {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {platform.python_version()}, "
          f"{platform.machine()}")
    print(f"form: {rows} survey rows, {len(LANGUAGES)} languages, {len(data) / 1024:.0f} KB; "
          f"median of {args.rounds} rounds")
    print(f"baseline pyxform convert : {baseline:.3f} s")
    print(f"import_xlsform           : {imported:.3f} s  (ratio to baseline {imported / baseline:.2f})")
    print(f"export_xlsform           : {exported:.3f} s  (ratio to baseline {exported / baseline:.2f})")


if __name__ == "__main__":
    main()

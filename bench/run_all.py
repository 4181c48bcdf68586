"""Run every benchmark in turn (each prints its figures and its same-run baseline ratio).

PostgreSQL benchmarks use JEJAK_BENCH_DATABASE_URL (an empty database they may wipe).
Usage: python bench/run_all.py [name ...]   e.g.  python bench/run_all.py classifier dashboard
"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
BENCHES = {
    "roster_import": "bench_roster_import.py",
    "invitations": "bench_invitations.py",
    "survey_http": "bench_survey_http.py",
    "dashboard": "bench_dashboard.py",
    "export": "bench_export.py",
    "classifier": "bench_classifier.py",
    "sector_coding": "bench_sector_coding.py",
    "report": "bench_report.py",
}


def main(names: list[str]) -> int:
    chosen = names or list(BENCHES)
    unknown = [n for n in chosen if n not in BENCHES]
    if unknown:
        print(f"unknown benchmark(s): {', '.join(unknown)}; known: {', '.join(BENCHES)}", file=sys.stderr)
        return 2
    failed = []
    for name in chosen:
        script = HERE / BENCHES[name]
        if not script.exists():
            print(f"== {name}: {script.name} missing, skipped")
            continue
        print(f"== {name}", flush=True)
        if subprocess.call([sys.executable, str(script)]) != 0:
            failed.append(name)
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

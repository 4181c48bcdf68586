"""Benchmark: the full research report over a 500,000-person roster and 240,000 responses.

    .venv/bin/python bench/bench_report.py [--alumni 500000] [--responses 282000] [--dir /tmp/jejak-report-bench]

Data: a synthetic `jejak-dataset` directory written with numpy/pandas by
`analysis.synthetic.write_synthetic_dataset` (wide=True: one `training_usefulness` column
per training, like the real export): 500,000 alumni, ~1,000,000 enrollments, responses of
which ~85% are submitted (282,000 responses → ~240,000 respondents), business descriptions
sampled from seeds/sectors/labelled_descriptions.csv and coded in codes.csv.

Measured, each in its own process (wall time and peak RSS via resource.getrusage of the child):
- baseline: pandas reading the six CSV files (`pd.read_csv(dtype=str)`), nothing else;
- load: `analysis.load_dataset` of the columns the report uses;
- report: `python -m analysis report DIR --out OUT --lang en` (the whole thing).
Targets: report ≤ 60 s, ≤ 2 GB.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BASELINE = ("import pandas as pd, sys\n"
            "for name in ('alumni', 'trainings', 'enrollments', 'responses', 'codes', 'codebook'):\n"
            "    pd.read_csv(f'{sys.argv[1]}/{name}.csv', dtype=str, keep_default_na=False, low_memory=False)\n")
LOAD = ("import sys\nfrom analysis.dataset import load_dataset\nfrom analysis.report._build import REPORT_COLUMNS\n"
        "load_dataset(sys.argv[1], response_columns=REPORT_COLUMNS)\n")


def _measured(argv: list[str]) -> tuple[float, float, str]:
    """Run ``argv`` in a child; (seconds, peak RSS in MB, output)."""
    runner = ("import resource, subprocess, sys, time, json\n"
              "t = time.perf_counter(); p = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n"
              "s = time.perf_counter() - t\n"
              "rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024\n"
              "print(json.dumps({'s': s, 'rss': rss, 'rc': p.returncode, 'out': p.stdout + p.stderr}))\n")
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    done = subprocess.run([sys.executable, "-c", runner, *argv], capture_output=True, text=True, env=env, check=True)
    result = json.loads(done.stdout)
    if result["rc"] != 0:
        raise RuntimeError(result["out"])
    return result["s"], result["rss"], result["out"].strip()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--alumni", type=int, default=500_000)
    parser.add_argument("--responses", type=int, default=282_000)
    parser.add_argument("--dir", default="/tmp/jejak-report-bench")
    parser.add_argument("--reuse", action="store_true", help="reuse an existing dataset directory")
    args = parser.parse_args()
    base = Path(args.dir)
    data = base / "dataset"
    if not (args.reuse and (data / "manifest.json").exists()):
        from analysis.synthetic import write_synthetic_dataset

        started = time.perf_counter()
        write_synthetic_dataset(data, alumni=args.alumni, responses=args.responses, seed=11, wide=True)
        print(f"dataset written in {time.perf_counter() - started:.0f} s")
    manifest = json.loads((data / "manifest.json").read_text())
    size = sum(p.stat().st_size for p in data.iterdir()) / 1e6
    print(f"files: {json.dumps({k: v['rows'] for k, v in manifest['files'].items()})}, {size:.0f} MB")
    results = {
        "baseline (pandas read_csv of all files)": _measured([sys.executable, "-c", BASELINE, str(data)]),
        "load_dataset (report columns)": _measured([sys.executable, "-c", LOAD, str(data)]),
        "report (python -m analysis report)": _measured([sys.executable, "-m", "analysis", "report", str(data),
                                                         "--out", str(base / "out"), "--lang", "en"]),
    }
    for name, (seconds, rss, output) in results.items():
        print(f"{name:45s} {seconds:6.1f} s  peak RSS {rss:7.0f} MB")
        if output and "report" in name:
            print("   " + output.replace("\n", "\n   "))
    seconds, rss, _ = results["report (python -m analysis report)"]
    ok = seconds <= 60 and rss <= 2048
    print("targets (≤ 60 s, ≤ 2 GB):", "met" if ok else "NOT met")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

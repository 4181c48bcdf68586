"""Benchmark: the panel section of the report (issue 11) on a 240,000-respondent panel.

    .venv/bin/python bench/bench_panel.py [--alumni 500000] [--responses 282000] [--dir /tmp/jejak-panel-bench]

Data: `analysis.synthetic.write_synthetic_panel` — the report benchmark's dataset (500,000 alumni,
282,000 wave-1 responses → ~240,000 respondents) followed up by a second wave (every wave-1
respondent invited, ~55% answer) in format 2: responses long, invitations.csv, codes with a wave.

Measured in one child process after `load_dataset` (the report's columns) and the cross-sectional
survey frame the report builds anyway (weights and links of the exported wave):
- baseline: that cross-sectional frame (build + rake + link), in the same process;
- panel: every table of the panel, tracer and reference sections (`analysis.report.PANEL_TABLES`:
  the earlier wave's frame and weights, the attrition raking, the seven tables and the reference
  figures);
and, in its own process, the whole `python -m analysis report DIR` (wall time, peak RSS).
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bench_report import _measured  # noqa: E402 - after the path set-up

SECTION = ("import json, sys, time\n"
           "from analysis.dataset import load_dataset\n"
           "from analysis.frame import survey_frame\n"
           "from analysis.report._build import PANEL_TABLES, REPORT_COLUMNS\n"
           "ds = load_dataset(sys.argv[1], response_columns=REPORT_COLUMNS)\n"
           "t = time.perf_counter(); frame = survey_frame(ds); base = time.perf_counter() - t\n"
           "times = {}\n"
           "for name, function in PANEL_TABLES.items():\n"
           "    t = time.perf_counter(); function(ds, lang='en', options=frame.options)\n"
           "    times[name] = time.perf_counter() - t\n"
           "print(json.dumps({'baseline': base, 'tables': times}))\n")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--alumni", type=int, default=500_000)
    parser.add_argument("--responses", type=int, default=282_000)
    parser.add_argument("--dir", default="/tmp/jejak-panel-bench")
    parser.add_argument("--reuse", action="store_true", help="reuse an existing dataset directory")
    args = parser.parse_args()
    base = Path(args.dir)
    data = base / "dataset"
    if not (args.reuse and (data / "manifest.json").exists()):
        from analysis.synthetic import write_synthetic_panel

        started = time.perf_counter()
        write_synthetic_panel(data, alumni=args.alumni, responses=args.responses, seed=11)
        print(f"dataset written in {time.perf_counter() - started:.0f} s")
    manifest = json.loads((data / "manifest.json").read_text())
    print(f"files: {json.dumps({k: v['rows'] for k, v in manifest['files'].items()})}")
    seconds, rss, output = _measured([sys.executable, "-c", SECTION, str(data)])
    section = json.loads(output.splitlines()[-1])
    panel = sum(section["tables"].values())
    print(f"section process: {seconds:.1f} s, peak RSS {rss:.0f} MB")
    print(f"baseline (cross-sectional frame: build, rake, link) {section['baseline']:6.1f} s")
    print(f"panel, tracer and reference tables                  {panel:6.1f} s "
          f"(ratio {panel / section['baseline']:.2f} × the baseline)")
    for name, spent in section["tables"].items():
        print(f"   {name:22s} {spent:6.2f} s")
    seconds, rss, output = _measured([sys.executable, "-m", "analysis", "report", str(data), "--out",
                                      str(base / "out"), "--lang", "en"])
    print(f"whole report (python -m analysis report): {seconds:.1f} s, peak RSS {rss:.0f} MB")
    print("   " + output.replace("\n", "\n   "))
    ok = seconds <= 180 and rss <= 2048
    print("within minutes and 2 GB:", "yes" if ok else "NO")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

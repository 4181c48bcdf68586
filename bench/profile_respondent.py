#!/usr/bin/env python3
"""Profile the respondent's two hot requests in process (cProfile), against PostgreSQL.

    python bench/profile_respondent.py --url postgresql://…/jejak_perf [--n 300] [--top 25] [--timer cpu|wall]

Seeds like ``bench_survey_http.py`` (every invitation has a consented response), warms up
with one GET round, then profiles N GETs of ``/s/<t>/p/about`` and, separately, N valid
POSTs of that page through Flask's test client. Prints the top functions by cumulative
time (share of the profiled requests' total) and by own time, and the CPU ms per request.
cProfile slows Python code down more than C code, so shares are indicative: compare runs
of this script with each other, not with py-spy figures. Tables are dropped at the end.
"""
from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import re
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from bench_survey_http import drop_tables, expected_answers, make_app, seed  # noqa: E402

_CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
_REVISION = re.compile(r'name="revision" type="hidden" value="(\d+)"')


def top(profile: cProfile.Profile, sort: str, limit: int) -> str:
    out = io.StringIO()
    stats = pstats.Stats(profile, stream=out)
    stats.strip_dirs().sort_stats(sort).print_stats(limit)
    return out.getvalue()


def shares(profile: cProfile.Profile, limit: int) -> list[tuple[float, float, str]]:
    """(cumulative share %, own share %, function) of the top functions by cumulative time."""
    stats = pstats.Stats(profile)
    total = stats.total_tt  # type: ignore[attr-defined]
    rows = []
    for (filename, line, name), (_cc, _nc, tt, ct, _callers) in stats.stats.items():  # type: ignore[attr-defined]
        short = filename.split("site-packages/")[-1].split("/perf/")[-1]
        rows.append((100 * ct / total, 100 * tt / total, f"{short}:{line}({name})"))
    rows.sort(reverse=True)
    return rows[:limit]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--n", type=int, default=300)
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--timer", choices=("cpu", "wall"), default="cpu",
                        help="cpu: process CPU time (robust on a loaded machine; excludes waiting for "
                             "PostgreSQL); wall: includes the wait")
    args = parser.parse_args()
    app = make_app(args.url)
    with tempfile.TemporaryDirectory() as tmp:
        tokens = seed(app, args.n, Path(tmp))
    clients = []
    for token in tokens:  # warm-up: caches, connections, compiled templates
        client = app.test_client()
        reply = client.get(f"/s/{token}/p/about")
        assert reply.status_code == 200, reply.status_code
        html = reply.get_data(as_text=True)
        csrf, revision = _CSRF.search(html), _REVISION.search(html)
        assert csrf and revision
        clients.append((client, token, csrf.group(1), revision.group(1)))
    timer = time.process_time if args.timer == "cpu" else time.perf_counter
    get_profile = cProfile.Profile(timer)
    cpu = time.process_time()
    get_profile.enable()
    for client, token, _csrf, _rev in clients:
        assert client.get(f"/s/{token}/p/about").status_code == 200
    get_profile.disable()
    get_cpu = (time.process_time() - cpu) * 1000 / len(clients)
    post_profile = cProfile.Profile(timer)
    cpu = time.process_time()
    post_profile.enable()
    for index, (client, token, csrf_value, revision_value) in enumerate(clients):
        data = {k: str(v) for k, v in expected_answers(index).items()}
        data.update(csrf_token=csrf_value, revision=revision_value)
        reply = client.post(f"/s/{token}/p/about", data=data)
        assert reply.status_code == 303, reply.status_code
    post_profile.disable()
    post_cpu = (time.process_time() - cpu) * 1000 / len(clients)
    for label, profile, per_request in (("GET", get_profile, get_cpu), ("POST", post_profile, post_cpu)):
        calls = pstats.Stats(profile).total_calls / len(clients)  # type: ignore[attr-defined]
        print(f"\n=== {label} /s/<t>/p/about: {per_request:.2f} CPU ms per request under cProfile "
              f"({len(clients)} requests, {args.timer} timer), {calls:,.0f} Python function calls per request "
              f"(a load-independent measure of the work)")
        print(f"{'cum %':>6} {'own %':>6}  function")
        for cum, own, name in shares(profile, args.top):
            print(f"{cum:6.1f} {own:6.1f}  {name}")
        print("--- by own time")
        print("\n".join(top(profile, "tottime", 15).splitlines()[-18:]))
    drop_tables(app)
    return 0


if __name__ == "__main__":
    sys.exit(main())

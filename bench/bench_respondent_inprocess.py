#!/usr/bin/env python3
"""In-process cost of the respondent's two hot requests (no HTTP server, no load generator).

    python bench/bench_respondent_inprocess.py --url postgresql://…/jejak_engine [--n 400]

Seeds the demo (like ``bench_survey_http.py``: every invitation has a consented response),
then times, through Flask's test client, N GETs of ``/s/<t>/p/about`` and N valid POSTs of
that page (each respondent once), in one process. Reports ms per request (median and mean)
so an engine change can be judged without the noise of a shared machine's HTTP run. Besides
wall-clock time it reports the process's CPU time per request (``time.process_time``): that
excludes waiting for PostgreSQL and for other processes, so it stays comparable when the
shared machine is busy.
Tables are dropped at the end.
"""
from __future__ import annotations

import argparse
import re
import statistics
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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--n", type=int, default=400)
    parser.add_argument("--repeat", type=int, default=3, help="GET rounds over all respondents")
    args = parser.parse_args()
    app = make_app(args.url)
    with tempfile.TemporaryDirectory() as tmp:
        tokens = seed(app, args.n, Path(tmp))
    clients = []
    get_ms, get_cpu, post_cpu = [], [], []
    for _round in range(args.repeat):
        for token in tokens:
            client = app.test_client()
            start, cpu = time.perf_counter(), time.process_time()
            reply = client.get(f"/s/{token}/p/about")
            get_ms.append((time.perf_counter() - start) * 1000)
            get_cpu.append((time.process_time() - cpu) * 1000)
            assert reply.status_code == 200, reply.status_code
            if _round == args.repeat - 1:
                html = reply.get_data(as_text=True)
                csrf_match, revision_match = _CSRF.search(html), _REVISION.search(html)
                assert csrf_match and revision_match, "the survey page lacks its CSRF token or revision"
                clients.append((client, token, csrf_match.group(1), revision_match.group(1)))
    post_ms = []
    for index, (client, token, csrf, revision) in enumerate(clients):
        data = {k: str(v) for k, v in expected_answers(index).items()}
        data.update(csrf_token=csrf, revision=revision)
        start, cpu = time.perf_counter(), time.process_time()
        reply = client.post(f"/s/{token}/p/about", data=data)
        post_ms.append((time.perf_counter() - start) * 1000)
        post_cpu.append((time.process_time() - cpu) * 1000)
        assert reply.status_code == 303, (reply.status_code, reply.get_data(as_text=True)[:2000])
    warm, warm_cpu = get_ms[len(tokens):], get_cpu[len(tokens):]  # round 1 pays cold caches
    print(f"GET  /p/about: wall median {statistics.median(warm):.2f} ms, mean {statistics.mean(warm):.2f}; "
          f"CPU median {statistics.median(warm_cpu):.2f} ms, mean {statistics.mean(warm_cpu):.2f} "
          f"({len(warm)} requests after a warm-up round)")
    print(f"POST /p/about: wall median {statistics.median(post_ms):.2f} ms, mean {statistics.mean(post_ms):.2f}; "
          f"CPU median {statistics.median(post_cpu):.2f} ms, mean {statistics.mean(post_cpu):.2f} "
          f"({len(post_ms)} requests)")
    drop_tables(app)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Exports of a wave's responses (CSV, XLSX, Stata, SPSS), codebooks and the research dataset.

Modules: columns.py (variables from the questionnaire), rows.py (streaming rows from the
database), writers.py (one writer per format), codebook.py, dataset.py (the research
dataset, docs/DATASET.md), service.py (options, permissions, audit), views.py (staff site),
cli.py (`flask export`).

How large exports avoid timeouts, and why there is no job queue: rows are always streamed
from a server-side cursor. CSV — the format that must scale to every submission — is
streamed to the browser as it is generated (first bytes at once, memory flat). XLSX, Stata
and SPSS files cannot be sent before they are complete, so the staff site builds them in a
temporary file in the instance folder and then streams that file (unlinked at once). Stata
is written row by row too (stata.py): 240,000 responses in ~26 s with flat memory, like CSV
(bench/README.md, "Exports"); XLSX takes ~110 s and SPSS holds the table in memory, so for
very large waves use CSV/Stata or the CLI. Run gunicorn with threaded workers
(``--worker-class gthread``) or ``--timeout 180`` so a long download is not cut. A background job table would add a worker process, polling and file
retention to operate for no gain at this size; the CLI covers anything larger.
"""

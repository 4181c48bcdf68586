"""Exports of a wave's responses (CSV, XLSX, Stata, SPSS), codebooks and the research dataset.

Modules: columns.py (variables from the questionnaire), rows.py (streaming rows from the
database), writers.py (one writer per format), codebook.py, dataset.py (the research
dataset, docs/DATASET.md), service.py (options, permissions, audit), views.py (staff site),
cli.py (`flask export`).

How large exports avoid timeouts: on the staff site every export is a background job
(survey_app/jobs, docs/ARCHITECTURE.md "Background jobs"); the web request only records and
queues it, a worker writes the file under a temporary name in the job's result folder and
renames it when complete, and the page follows its progress. Rows are always streamed from a
server-side cursor; CSV, XLSX (openpyxl write-only) and Stata are written row by row with
flat memory; SPSS goes through pyreadstat, which needs the whole table (see writers.py).
"""

"""The research report: ``report.html`` (self-contained, printable) and ``tables/*.csv``.

Private modules: ``_build`` (tables → files, HTML sections), ``_svg`` (inline bar charts
with confidence-interval whiskers), ``_text`` (Indonesian and English wording).
"""
from ._build import TABLES, Report, build_report, read_tables

__all__ = ["TABLES", "Report", "build_report", "read_tables"]

"""The research report: ``report.html`` (self-contained, printable) and ``tables/*.csv``.

Private modules: ``_build`` (survey frame → tables → files, and the page's context),
``_render`` (Jinja2 environment, Babel catalogue and number formats), ``_svg`` (inline
bar charts with confidence-interval whiskers).  The page is ``templates/report.html``;
its Indonesian texts are in ``locale/id/LC_MESSAGES/report.po``.
"""
from ._build import PANEL_TABLES, TABLES, Report, build_report, read_tables

__all__ = ["PANEL_TABLES", "TABLES", "Report", "build_report", "read_tables"]

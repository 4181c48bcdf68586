"""XLSForm in and out: import the spreadsheets survey teams already have, export for ODK/Kobo.

Public entry points: :func:`survey_app.xlsform.importer.import_xlsform` and
:func:`survey_app.xlsform.writer.export_xlsform`. The modules each do one job:

- ``reader``: workbook bytes → plain sheets (openpyxl for .xlsx, xlrd for .xls), size caps;
- ``headers``: column names → canonical keys and language codes (aliases, translations);
- ``table``/``texts``: a sheet with its headers understood; texts in every language;
- ``choices``: the ``choices`` sheet → Jejak choice lists;
- ``types``: XLSForm types → Jejak types, and what is unsupported and why;
- ``xpath``: XLSForm XPath → Jejak expressions;
- ``rows``: a survey row as read, and shared helpers;
- ``survey``: ``survey`` rows → pages (groups, repeats, what is left out);
- ``questions``: one row → question(s) (types, texts, constraints, defaults, or_other);
- ``importer``: the whole import, returning a definition and a list of issues;
- ``writer``: a Jejak definition → an XLSForm workbook;
- ``errors``: issues located by sheet/row/column, translatable messages;
- ``cli``: the ``flask questionnaire import-xlsform|export-xlsform`` commands.
"""

"""The streaming SPSS writer gives the same data and labels as pyreadstat's whole-table writer."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pyreadstat
from sqlalchemy import select

from survey_app.exports import writers
from survey_app.exports.service import ExportOptions, plan_export, write_to
from survey_app.extensions import db
from survey_app.models import Response, Wave

LONG = ("Warung kopi dan roti bakar di depan rumah, café ☕ — " * 20).strip()  # > 255 bytes, multibyte


def test_streamed_sav_matches_pyreadstat(app, demo_wave, tmp_path):
    with app.app_context():
        text_question = "business_description"  # free text, in the default questionnaire
        response = db.session.scalars(select(Response).where(Response.submitted_at.is_not(None),
                                                             Response.answers[text_question].is_not(None))).first()
        answers = dict(response.answers)
        answers[text_question] = LONG
        response.answers = answers
        db.session.commit()
        wave = db.session.get(Wave, demo_wave["wave"])
        plan = plan_export(wave, ExportOptions(format="sav", language="en", include_financial=True))
        ours = tmp_path / "ours.sav"
        write_to(plan, ours)
        reference = tmp_path / "reference.sav"
        frame = writers._collect(plan.columns, plan.rows())
        pyreadstat.write_sav(frame, str(reference),
                             column_labels={c.name: writers.cut(c.label.get("en"), nbytes=256) for c in plan.columns},
                             variable_value_labels=writers._value_labels(plan.columns, "en", 120),
                             variable_measure={c.name: writers._measure(c) for c in plan.columns},
                             variable_format=writers._spss_formats(plan.columns))
    got, meta = pyreadstat.read_sav(str(ours))
    expected, expected_meta = pyreadstat.read_sav(str(reference))
    assert list(got.columns) == list(expected.columns) and len(got) == len(expected) == 40
    for name in expected.columns:
        left, right = got[name], expected[name]
        if pd.api.types.is_datetime64_any_dtype(right):  # float seconds: equal to the microsecond's rounding
            assert ((left - right).abs().fillna(pd.Timedelta(0)) < pd.Timedelta(milliseconds=1)).all(), name
            assert (left.isna() == right.isna()).all(), name
        elif pd.api.types.is_numeric_dtype(right):
            assert np.allclose(left.astype(float), right.astype(float), equal_nan=True), name
        else:
            assert left.fillna("").tolist() == right.fillna("").tolist(), name
    assert LONG in got[text_question].tolist()
    assert meta.column_names_to_labels == expected_meta.column_names_to_labels
    assert meta.variable_value_labels == expected_meta.variable_value_labels
    assert meta.variable_measure == expected_meta.variable_measure
    assert meta.original_variable_types == expected_meta.original_variable_types or \
        {k: v for k, v in meta.original_variable_types.items() if not v.startswith("A")} == \
        {k: v for k, v in expected_meta.original_variable_types.items() if not v.startswith("A")}

"""The bare baseline for bench_survey_http.py: Flask + Flask-WTF form with CSRF, no database.

GET renders a small form (with its CSRF token, so a session cookie is set); POST validates
the form (CSRF + two fields) and redirects with 303. Served under the same gunicorn
settings as the survey app so the ratio shows what the survey app costs on top of Flask.
"""
from __future__ import annotations

import os

from flask import Flask, redirect, render_template, url_for
from flask_wtf import FlaskForm
from wtforms import IntegerField, StringField
from wtforms.validators import DataRequired, Length, NumberRange

app = Flask(__name__)
app.config["SECRET_KEY"] = os.environ.get("JEJAK_SECRET_KEY", "bench-baseline-secret")
app.config["WTF_CSRF_TIME_LIMIT"] = None  # same as the survey app


class HelloForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=100)])
    birth_year = IntegerField("Birth year", validators=[DataRequired(), NumberRange(1940, 2008)])


PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Hello</title></head>
<body>
<h1>Hello, world</h1>
<form method="post" action="{{ url_for('hello') }}">
  {{ form.csrf_token }}
  <p>{{ form.name.label }} {{ form.name() }}</p>
  <p>{{ form.birth_year.label }} {{ form.birth_year() }}</p>
  <button type="submit">Send</button>
</form>
</body></html>
"""
TEMPLATE = app.jinja_env.from_string(PAGE)  # compiled once, like a template file (cached by Jinja)


@app.route("/", methods=["GET", "POST"])
def hello():
    form = HelloForm()
    if form.validate_on_submit():
        return redirect(url_for("hello"), 303)
    return render_template(TEMPLATE, form=form), (422 if form.is_submitted() else 200)

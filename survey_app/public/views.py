"""Landing page and a health check for load balancers."""
from flask import Blueprint, render_template
from sqlalchemy import text

from survey_app.extensions import db

bp = Blueprint("public", __name__)


@bp.get("/")
def index():
    """Explain what this site is to someone who arrives without a link."""
    return render_template("public/index.html")


@bp.get("/healthz")
def healthz():
    """Report that the app and its database answer."""
    db.session.execute(text("SELECT 1"))
    return {"status": "ok"}

"""Respondent views (placeholder until the flow lands)."""
from flask import Blueprint

bp = Blueprint("respondent", __name__)

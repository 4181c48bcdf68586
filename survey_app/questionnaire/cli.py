"""`flask questionnaire …` (placeholder)."""
from flask.cli import AppGroup

questionnaire_cli = AppGroup("questionnaire", help="Check and load questionnaire definitions.")

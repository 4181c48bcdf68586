"""`flask roster …` (placeholder)."""
from flask.cli import AppGroup

roster_cli = AppGroup("roster", help="Import the programme's roster of alumni and trainings.")

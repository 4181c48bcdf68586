"""`flask wave …` and `flask invitations …` (placeholder)."""
from flask.cli import AppGroup

wave_cli = AppGroup("wave", help="Create and list waves (fieldings of a questionnaire).")
invitations_cli = AppGroup("invitations", help="Issue personal survey links.")

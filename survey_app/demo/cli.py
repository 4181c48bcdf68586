"""`flask demo …` (placeholder)."""
import click
from flask.cli import AppGroup

demo_cli = AppGroup("demo", help="Synthetic data for demos, tests and benchmarks.")

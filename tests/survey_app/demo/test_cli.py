"""`flask demo roster`: files ready for `flask roster import`."""
from __future__ import annotations


def test_demo_roster_writes_files_that_import_without_errors(app, runner, seeds_dir, tmp_path):
    app.config["SEEDS_DIR"] = seeds_dir
    out = tmp_path / "demo"

    made = runner.invoke(args=["demo", "roster", "--alumni", "40", "--out", str(out), "--seed", "2"])
    imported = runner.invoke(args=["roster", "import", "--strict", "--trainings", str(out / "trainings.csv"),
                                   "--alumni", str(out / "alumni.csv"),
                                   "--enrollments", str(out / "enrollments.csv")])

    assert made.exit_code == 0, made.output
    assert "Wrote 40 alumni" in made.output
    assert imported.exit_code == 0, imported.output
    assert "alumni.csv: 40 rows: 40 inserted" in imported.output


def test_demo_roster_without_seeds_fails_with_a_message(app, runner, tmp_path):
    app.config["SEEDS_DIR"] = tmp_path / "no-seeds"

    result = runner.invoke(args=["demo", "roster", "--alumni", "5", "--out", str(tmp_path / "d")])

    assert result.exit_code == 1
    assert "seed file" in result.output and "not found" in result.output


def test_generated_roster_loads_straight_into_the_database(app, reference):
    from sqlalchemy import func, select

    from survey_app.demo.roster_data import load_roster
    from survey_app.extensions import db
    from survey_app.models import Alumnus

    with app.app_context():
        report = load_roster(db.engine, 25, seed=4, reference=reference)
        stored = db.session.scalar(select(func.count()).select_from(Alumnus))

    assert report.ok and report.committed
    assert stored == 25

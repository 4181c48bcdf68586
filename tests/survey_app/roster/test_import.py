"""`flask roster import`: upserts, counts, and the report of bad rows."""
from __future__ import annotations

import csv
from datetime import date

from sqlalchemy import func, select

from survey_app.extensions import db
from survey_app.models import Alumnus, AuditEvent, Enrollment, Training
from tests.survey_app.roster.conftest import ALUMNI_HEADER, ENROLLMENTS_HEADER, TRAININGS_HEADER


def counts(app) -> tuple[int, int, int]:
    with app.app_context():
        return tuple(db.session.scalar(select(func.count()).select_from(model))
                     for model in (Training, Alumnus, Enrollment))


def alumnus(app, external_id: str) -> Alumnus:
    with app.app_context():
        return db.session.scalars(select(Alumnus).where(Alumnus.external_id == external_id)).one()


def test_import_inserts_trainings_alumni_and_enrollments(app, roster, import_roster):
    result = import_roster(roster)

    assert result.exit_code == 0, result.output
    assert "trainings.csv: 2 rows: 2 inserted, 0 updated, 0 unchanged, 0 refused" in result.output
    assert "alumni.csv: 3 rows: 3 inserted, 0 updated, 0 unchanged, 0 refused" in result.output
    assert "enrollments.csv: 4 rows: 4 inserted, 0 updated, 0 unchanged, 0 refused" in result.output
    assert counts(app) == (2, 3, 4)


def test_import_normalises_phone_sex_and_email_domain(app, roster, import_roster):
    import_roster(roster)

    budi = alumnus(app, "PKJ1")
    assert (budi.phone, budi.sex, budi.email, budi.province_code, budi.birth_year, budi.cohort) == (
        "+6281234567890", "M", "budi@gmail.com", "32", 1990, "G01")
    siti = alumnus(app, "PKJ2")
    assert (siti.phone, siti.sex) == ("+6281311112222", "F")


def test_empty_optional_fields_are_stored_as_unknown(app, roster, import_roster):
    import_roster(roster)

    agus = alumnus(app, "PKJ3")
    assert (agus.phone, agus.province_code, agus.sex, agus.birth_year, agus.cohort) == ("", None, None, None, None)
    with app.app_context():
        dates = dict(db.session.execute(
            select(Training.code, Enrollment.completed_at).join(Enrollment.training)
            .join(Enrollment.alumnus).where(Alumnus.external_id == "PKJ1")).all())
    assert dates == {"TRN-1": date(2020, 5, 2), "TRN-2": None}


def test_reimporting_the_same_files_changes_nothing(app, roster, import_roster):
    import_roster(roster)

    result = import_roster(roster)

    assert result.exit_code == 0, result.output
    assert "trainings.csv: 2 rows: 0 inserted, 0 updated, 2 unchanged, 0 refused" in result.output
    assert "alumni.csv: 3 rows: 0 inserted, 0 updated, 3 unchanged, 0 refused" in result.output
    assert "enrollments.csv: 4 rows: 0 inserted, 0 updated, 4 unchanged, 0 refused" in result.output
    assert counts(app) == (2, 3, 4)


def test_changed_rows_are_updated_and_others_left_unchanged(app, roster, import_roster, write_csv):
    import_roster(roster)
    changed = {
        "trainings": write_csv("trainings2.csv", TRAININGS_HEADER, [
            ["TRN-1", "Jualan Online Lanjutan", "Kelas A", "sales_marketing", "Toko online"],
            ["TRN-2", "Excel untuk Kantor", "Kelas B", "office", ""],
        ]),
        "alumni": write_csv("alumni2.csv", ALUMNI_HEADER, [
            ["PKJ1", "Budi Santoso", "0812-3456-7890", "budi@gmail.com", "33", "M", "1990", "G01"],
            ["PKJ4", "Dewi", "", "", "51", "F", "2000", "G03"],
        ]),
        "enrollments": write_csv("enrollments2.csv", ENROLLMENTS_HEADER, [
            ["PKJ1", "TRN-1", "2020-06-01"],
            ["PKJ2", "TRN-1", "2021-01-31"],
        ]),
    }

    result = import_roster(changed)

    assert "trainings2.csv: 2 rows: 0 inserted, 1 updated, 1 unchanged" in result.output
    assert "alumni2.csv: 2 rows: 1 inserted, 1 updated, 0 unchanged" in result.output
    assert "enrollments2.csv: 2 rows: 0 inserted, 1 updated, 1 unchanged" in result.output
    assert alumnus(app, "PKJ1").province_code == "33"
    with app.app_context():
        assert db.session.scalar(select(Training.title).where(Training.code == "TRN-1")) == "Jualan Online Lanjutan"
    assert counts(app) == (2, 4, 4)  # nothing is ever deleted by an import


def test_import_without_trainings_file_uses_the_stored_catalogue(app, roster, import_roster):
    import_roster(roster)

    result = import_roster({"alumni": roster["alumni"], "enrollments": roster["enrollments"]})

    assert result.exit_code == 0, result.output
    assert "enrollments.csv: 4 rows: 0 inserted, 0 updated, 4 unchanged" in result.output


def test_utf8_bom_is_accepted(app, roster, import_roster, write_csv):
    roster["alumni"] = write_csv("alumni.csv", ALUMNI_HEADER, [
        ["PKJ1", "Budi", "", "", "32", "M", "1990", "G01"]], bom=True)
    roster["enrollments"] = write_csv("enrollments.csv", ENROLLMENTS_HEADER, [], bom=True)

    result = import_roster(roster)

    assert result.exit_code == 0, result.output
    assert alumnus(app, "PKJ1").name == "Budi"


def test_formula_and_html_content_is_stored_as_plain_text(app, roster, import_roster, write_csv):
    roster["alumni"] = write_csv("alumni.csv", ALUMNI_HEADER, [
        ["PKJ1", '=HYPERLINK("http://evil")', "", "", "32", "M", "1990", "G01"],
        ["PKJ2", "<script>alert(1)</script>", "", "", "32", "F", "1990", "G01"],
    ])
    roster["enrollments"] = write_csv("enrollments.csv", ENROLLMENTS_HEADER, [])

    result = import_roster(roster)

    assert result.exit_code == 0, result.output
    assert alumnus(app, "PKJ1").name == '=HYPERLINK("http://evil")'
    assert alumnus(app, "PKJ2").name == "<script>alert(1)</script>"


def test_import_is_recorded_in_the_audit_log(app, roster, import_roster):
    import_roster(roster)

    with app.app_context():
        event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "roster.import")).one()
    assert event.actor.startswith("cli:")
    assert event.detail["alumni.csv"]["inserted"] == 3


def test_errors_out_lists_every_bad_row_and_console_shows_the_first_fifty(app, roster, import_roster,
                                                                        write_csv, tmp_path):
    rows = [[f"PKJ{i}", f"Nama {i}", "", "", "99", "M", "1990", "G01"] for i in range(60)]
    roster["alumni"] = write_csv("alumni.csv", ALUMNI_HEADER, rows)
    roster["enrollments"] = write_csv("enrollments.csv", ENROLLMENTS_HEADER, [])
    errors_out = tmp_path / "errors.csv"

    result = import_roster(roster, "--errors-out", str(errors_out))

    assert result.exit_code == 1
    assert result.output.count("is not a Kepmendagri province code") == 50
    assert "and 10 more (all in" in result.output
    with errors_out.open(newline="", encoding="utf-8") as fh:
        listed = list(csv.DictReader(fh))
    assert len(listed) == 60
    assert listed[0] == {"file": "alumni.csv", "line": "2",
                         "message": "province '99' is not a Kepmendagri province code (two digits, 11..96)"}
    assert listed[-1]["line"] == "61"


def test_unknown_extra_columns_are_ignored_and_named(app, roster, import_roster, write_csv):
    roster["alumni"] = write_csv("alumni.csv", ALUMNI_HEADER + ["nik"], [
        ["PKJ1", "Budi", "", "", "32", "M", "1990", "G01", "3201..."]])
    roster["enrollments"] = write_csv("enrollments.csv", ENROLLMENTS_HEADER, [])

    result = import_roster(roster)

    assert result.exit_code == 0, result.output
    assert "ignored unknown columns: nik" in result.output


def test_help_describes_strict_mode_and_the_errors_file(runner):
    result = runner.invoke(args=["roster", "import", "--help"])

    assert "--strict" in result.output
    assert "--errors-out" in result.output


def category_pairs(app) -> set[tuple[str, str]]:
    from survey_app.models import AlumnusCategory

    with app.app_context():
        return set(db.session.execute(select(Alumnus.external_id, AlumnusCategory.category)
                                      .join(AlumnusCategory, AlumnusCategory.alumnus_id == Alumnus.id)).all())


def test_alumnus_categories_follow_the_enrollments(app, roster, import_roster):
    import_roster(roster)

    assert category_pairs(app) == {("PKJ1", "sales_marketing"), ("PKJ1", "office"),
                                   ("PKJ2", "sales_marketing"), ("PKJ3", "office")}


def test_a_training_moved_to_another_category_moves_its_alumni(app, roster, import_roster, write_csv):
    import_roster(roster)
    roster["trainings"] = write_csv("trainings.csv", TRAININGS_HEADER, [
        ["TRN-1", "Jualan Online", "Kelas A", "it", "Toko online"],
        ["TRN-2", "Excel untuk Kantor", "Kelas B", "office", ""],
    ])

    import_roster(roster)

    assert category_pairs(app) == {("PKJ1", "it"), ("PKJ1", "office"), ("PKJ2", "it"), ("PKJ3", "office")}

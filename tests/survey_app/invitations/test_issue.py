"""`flask invitations issue`: one link per alumnus, tokens hashed, CSV written atomically."""
from __future__ import annotations

import base64
import csv
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from survey_app.extensions import db
from survey_app.invitations import service
from survey_app.invitations.service import IssueError, issue_invitations
from survey_app.links import link_for
from survey_app.models import Invitation, Wave
from survey_app.tokens import hash_token, new_nonce, new_token


def issue(runner, wave: str, out, *extra: str):
    return runner.invoke(args=["invitations", "issue", "--wave", wave, "--out", str(out), *extra])


def read_links(path) -> list[dict]:
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture
def out_dir(tmp_path):
    """An empty directory for link files (tmp_path also holds the SQLite database)."""
    path = tmp_path / "out"
    path.mkdir()
    return path


def invitation_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Invitation))


def test_each_alumnus_without_invitation_gets_one_link(app, runner, wave, add_alumni, tmp_path):
    add_alumni(3)

    result = issue(runner, wave, tmp_path / "links.csv")

    assert result.exit_code == 0, result.output
    assert "Issued 3 invitations in wave 'W1'" in result.output
    links = read_links(tmp_path / "links.csv")
    assert [row["external_id"] for row in links] == ["PKJ0001", "PKJ0002", "PKJ0003"]
    assert list(links[0]) == ["external_id", "name", "phone", "email", "url"]
    assert links[0]["phone"] == "+6281200000001"
    assert invitation_count(app) == 3


def test_second_run_issues_only_to_alumni_added_since(app, runner, wave, add_alumni, tmp_path):
    add_alumni(2)
    issue(runner, wave, tmp_path / "first.csv")

    again = issue(runner, wave, tmp_path / "second.csv")
    add_alumni(1)
    third = issue(runner, wave, tmp_path / "third.csv")

    assert "already has an invitation" in again.output
    assert third.exit_code == 0, third.output
    assert read_links(tmp_path / "second.csv") == []
    assert [row["external_id"] for row in read_links(tmp_path / "third.csv")] == ["PKJ0003"]
    assert invitation_count(app) == 3


def test_links_are_absolute_urls_and_the_database_keeps_only_hashes(app, runner, wave, add_alumni, tmp_path):
    add_alumni(2)

    issue(runner, wave, tmp_path / "links.csv")

    urls = [row["url"] for row in read_links(tmp_path / "links.csv")]
    assert all(url.startswith("http://survey.test/s/") for url in urls)
    tokens = [url.rsplit("/", 1)[1] for url in urls]
    with app.app_context():
        stored = set(db.session.scalars(select(Invitation.token_hash)))
    assert stored == {hash_token(token) for token in tokens}
    assert not stored & set(tokens)


def test_the_server_can_rebuild_each_link_for_a_reminder(app, runner, wave, add_alumni, tmp_path):
    add_alumni(2)

    issue(runner, wave, tmp_path / "links.csv")

    with app.app_context(), app.test_request_context():
        rebuilt = {link_for(invitation) for invitation in db.session.scalars(select(Invitation))}
    assert rebuilt == {row["url"] for row in read_links(tmp_path / "links.csv")}


def test_tokens_carry_at_least_128_bits_and_are_url_safe():
    token = new_token()
    raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))

    assert len(raw) * 8 >= 128
    assert token.replace("-", "").replace("_", "").isalnum()
    assert new_token() != token
    assert len(hash_token(token)) == 64


def test_limit_cohort_and_province_select_alumni(app, runner, wave, add_alumni, tmp_path):
    add_alumni(2, cohort="G01", province_code="32")
    add_alumni(2, cohort="G02", province_code="32")
    add_alumni(2, cohort="G02", province_code="51")

    issue(runner, wave, tmp_path / "a.csv", "--cohort", "G02", "--province", "51")
    issue(runner, wave, tmp_path / "b.csv", "--limit", "3")

    assert [r["external_id"] for r in read_links(tmp_path / "a.csv")] == ["PKJ0005", "PKJ0006"]
    assert [r["external_id"] for r in read_links(tmp_path / "b.csv")] == ["PKJ0001", "PKJ0002", "PKJ0003"]


def test_formula_like_names_are_neutralised_in_the_link_file(app, runner, wave, add_alumni, tmp_path):
    add_alumni(1, name="=HYPERLINK(\"http://evil\")", email="@evil@example.id")

    issue(runner, wave, tmp_path / "links.csv")

    row = read_links(tmp_path / "links.csv")[0]
    assert row["name"] == "'=HYPERLINK(\"http://evil\")"
    assert row["email"] == "'@evil@example.id"


def test_existing_link_file_is_never_overwritten(app, runner, wave, add_alumni, tmp_path):
    add_alumni(1)
    out = tmp_path / "links.csv"
    out.write_text("links sent last week\n")

    result = issue(runner, wave, out)

    assert result.exit_code == 1
    assert "already exists" in result.output
    assert out.read_text() == "links sent last week\n"
    assert invitation_count(app) == 0


def test_unknown_or_closed_wave_is_refused(app, runner, wave, add_alumni, tmp_path):
    add_alumni(1)
    with app.app_context():
        db.session.scalars(select(Wave)).one().closes_at = datetime.now(UTC) - timedelta(days=1)
        db.session.commit()

    unknown = issue(runner, "W9", tmp_path / "a.csv")
    closed = issue(runner, wave, tmp_path / "b.csv")

    assert "no wave named 'W9'" in unknown.output
    assert "wave 'W1' closed at" in closed.output
    assert list(tmp_path.glob("*.csv")) == []


def test_failure_halfway_leaves_neither_links_nor_invitations(app, wave, add_alumni, out_dir, monkeypatch):
    add_alumni(5)
    made = []

    def failing_nonce():
        if len(made) == 3:
            raise OSError("disk full")
        made.append(1)
        return new_nonce()

    monkeypatch.setattr(service, "new_nonce", failing_nonce)
    with app.app_context(), pytest.raises(OSError):
        issue_invitations(db.engine, wave, out_dir / "links.csv", base_url="http://survey.test",
                          batch_size=2)

    assert list(out_dir.iterdir()) == []  # no CSV, no temporary file
    assert invitation_count(app) == 0


def test_link_file_appears_only_after_the_commit(app, wave, add_alumni, out_dir, monkeypatch):
    add_alumni(2)
    out = out_dir / "links.csv"
    seen_at_audit = []
    original = service._audit_row

    def audit_row(*args):
        seen_at_audit.append((out.exists(), len(list(out_dir.glob(".links.csv.*.tmp")))))
        return original(*args)

    monkeypatch.setattr(service, "_audit_row", audit_row)
    with app.app_context():
        result = issue_invitations(db.engine, wave, out, base_url="http://survey.test")

    assert seen_at_audit == [(False, 1)]  # written to a temporary file while the transaction was open
    assert result.issued == 2 and len(read_links(out)) == 2
    assert list(out_dir.iterdir()) == [out]


def test_relative_base_url_is_refused(app, wave, out_dir):
    with app.app_context(), pytest.raises(IssueError, match="absolute"):
        issue_invitations(db.engine, wave, out_dir / "l.csv", base_url="/survey")


def test_unknown_province_filter_is_refused(app, runner, wave, tmp_path):
    result = issue(runner, wave, tmp_path / "l.csv", "--province", "Jawa Barat")

    assert result.exit_code == 1
    assert "province 'Jawa Barat' is not a Kepmendagri province code" in result.output

"""Finding 10.8: downloads named after any wave, wave names checked at creation, huge page numbers."""
import re
from pathlib import Path
from urllib.parse import unquote

import pytest
from sqlalchemy import update

from survey_app.downloads import content_disposition
from survey_app.extensions import db
from survey_app.models import Wave
from tests.survey_app.admin.conftest import csrf_of
from tests.survey_app.jobs.flow import download

SURVEY_APP = Path(__file__).resolve().parents[2] / "survey_app"
NAMES = ["Gelombang 1 — Jawa", "Gelombang\r\n2", "ꦗꦮ Tengah", 'Wave "3"; x=1', "a/../b"]


def _filename_star(header: str) -> str:
    match = re.search(r"filename\*=UTF-8''([^;\s]+)", header)
    assert match, header
    return unquote(match.group(1))


@pytest.mark.parametrize("name", NAMES)
def test_content_disposition_is_valid_latin1_and_names_the_file_exactly(name):
    header = content_disposition(f"jejak-{name}.csv")
    header.encode("latin-1")  # a header must be Latin-1; the exact name travels percent-encoded
    assert "\r" not in header and "\n" not in header
    assert re.fullmatch(r'attachment; filename="[A-Za-z0-9._ ()+-]+"; filename\*=UTF-8\'\'[A-Za-z0-9%._~-]+', header)
    exact = _filename_star(header)
    assert "/" not in exact and "\r" not in exact and "\n" not in exact
    if "\r" not in name and "/" not in name:
        assert exact == f"jejak-{name}.csv"


@pytest.fixture
def named_wave(app, small_wave):
    """The exports' small wave renamed; the rename bypasses creation checks, like old data would."""

    def rename(name):
        with app.app_context():
            db.session.execute(update(Wave).where(Wave.id == small_wave["wave"]).values(name=name))
            db.session.commit()
        return small_wave["wave"]

    return rename


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("name", ["Gelombang 1 — Jawa", "Gelombang\r\n2"])
def test_export_of_any_wave_name_downloads(as_role, named_wave, name, fmt):
    wave_id = named_wave(name)
    client = as_role("researcher")
    token = csrf_of(client.get(f"/admin/waves/{wave_id}/export").get_data(as_text=True))
    # Exports run as jobs: the POST starts one, the file comes from the job's download URL.
    response = download(client, client.post(f"/admin/waves/{wave_id}/export",
                                            data={"csrf_token": token, "format": fmt, "language": "id"}))
    assert response.status_code == 200
    assert _filename_star(response.headers["Content-Disposition"]).startswith("jejak-Gelombang")
    assert len(response.get_data()) > 100


def test_links_download_of_any_wave_name(as_role, named_wave):
    wave_id = named_wave("Gelombang 1 — Jawa")
    client = as_role("admin")
    token = csrf_of(client.get(f"/admin/waves/{wave_id}/messages").get_data(as_text=True))
    response = client.post(f"/admin/waves/{wave_id}/messages/links", data={"csrf_token": token})
    assert response.status_code == 200
    assert _filename_star(response.headers["Content-Disposition"]) == "links-Gelombang 1 — Jawa.csv"


def test_no_view_writes_a_download_header_itself():
    """Guard for the class: every download goes through survey_app/downloads.py."""
    offenders = []
    for path in SURVEY_APP.rglob("*.py"):
        if path.name == "downloads.py":
            continue
        text = path.read_text(encoding="utf-8")
        for needle in ("Content-Disposition", "download_name", "as_attachment", "send_file("):
            if needle in text:
                offenders.append(f"{path.relative_to(SURVEY_APP)}: {needle}")
    assert offenders == []


# -- wave names are checked when a wave is created ------------------------------------------
@pytest.mark.parametrize("name", ["Gelombang\r\n2", "tab\there", "zero\u200bwidth", "nul\x00", "line\u2028sep"])
def test_wave_create_refuses_invisible_and_control_characters(runner, small_wave, name):
    result = runner.invoke(args=["wave", "create", name, "--questionnaire", "1"])
    assert result.exit_code != 0
    assert "invisible or control character" in result.output and "U+" in result.output


def test_wave_create_accepts_any_script_and_punctuation(app, runner, small_wave):
    result = runner.invoke(args=["wave", "create", "Gelombang 1 — Jawa ꦗꦮ", "--questionnaire", "1"])
    assert result.exit_code == 0, result.output


# -- paged lists take any page number ---------------------------------------------------------
@pytest.mark.parametrize("page", ["99999999999999999999999", "-5", "0", "abc", "9223372036854775808"])
@pytest.mark.parametrize("url", ["/admin/waves/{wave}/invitations", "/admin/audit", "/admin/waves/{wave}/coding"])
def test_huge_or_bad_page_numbers_are_not_a_server_error(as_role, small_wave, url, page):
    client = as_role("admin")
    response = client.get(url.format(wave=small_wave["wave"]), query_string={"page": page})
    assert response.status_code == 200

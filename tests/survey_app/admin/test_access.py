"""Access control: every staff URL, every role (and no login)."""
import pytest
from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import AdminUser, SectorModelVersion
from tests import factories
from tests.survey_app.questionnaire.conftest import SMALL_FORM

# url template → roles allowed (GET pages)
PAGES = {
    "/admin/": ("admin", "researcher", "viewer"),
    "/admin/waves/{wave}": ("admin", "researcher", "viewer"),
    "/admin/waves/{wave}/invitations": ("admin", "researcher"),
    "/admin/alumni": ("admin",),
    "/admin/alumni/{alumnus}": ("admin",),
    "/admin/audit": ("admin",),
    "/admin/password": ("admin", "researcher", "viewer"),
    "/admin/exports": ("admin", "researcher"),
    "/admin/waves/{wave}/export": ("admin", "researcher"),
    "/admin/waves/{wave}/codebook": ("admin", "researcher"),
    "/admin/messages": ("admin",),
    "/admin/waves/{wave}/messages": ("admin",),
    "/admin/waves/{wave}/messages/template": ("admin",),
    "/admin/waves/{wave}/coding": ("admin", "researcher"),
    "/admin/coding/{code}": ("admin", "researcher"),
    "/admin/kbli/search": ("admin", "researcher"),
    "/admin/reports": ("admin", "researcher"),
    "/admin/users": ("admin",),
    "/admin/waves/{wave}/report": ("admin", "researcher"),
    # jobs (issue 8): the job below was started by an admin; only admins see others' jobs.
    "/admin/jobs": ("admin", "researcher"),
    "/admin/waves/{wave}/jobs": ("admin", "researcher"),
    "/admin/jobs/{job}": ("admin",),
    "/admin/jobs/{job}/download": ("admin",),
    "/admin/roster/upload": ("admin",),
    "/admin/questionnaires/xlsform": ("admin",),  # --- xlsform
    "/admin/waves/new": ("admin",),  # --- waves
    # --- retrain: KBLI model versions and the blind double coding
    "/admin/sectors/models": ("admin", "researcher"),
    "/admin/sectors/models/{model}": ("admin", "researcher"),
    "/admin/waves/{wave}/agreement": ("admin", "researcher"),
    "/admin/waves/{wave}/second-coding": ("admin", "researcher"),
}
# POST actions → roles allowed
ACTIONS = {
    "/admin/invitations/{invitation}/reissue": ("admin",),
    "/admin/alumni/{alumnus}/erase": ("admin",),
    "/admin/waves/{wave}/messages/queue": ("admin",),
    "/admin/waves/{wave}/messages/send": ("admin",),
    "/admin/waves/{wave}/messages/links": ("admin",),
    "/admin/waves/{wave}/messages/template": ("admin",),
    "/admin/users/{user}/deactivate": ("admin",),
    "/admin/users/{user}/activate": ("admin",),
    "/admin/users/{user}/unlock": ("admin",),
    "/admin/users/{user}/reset-password": ("admin",),
    "/admin/jobs/{job}/cancel": ("admin",),
    "/admin/waves/{wave}/jobs/{kind}": ("admin", "researcher"),
    "/admin/questionnaires/xlsform/load": ("admin",),  # --- xlsform
    "/admin/waves/{wave}/follow-up": ("admin",),  # --- waves
    "/admin/sectors/models/retrain": ("admin",),  # --- retrain
    "/admin/sectors/models/{model}/promote": ("admin",),  # --- retrain
    "/admin/sectors/models/{model}/rollback": ("admin",),  # --- retrain
}


def _rule(url: str) -> str:
    return (url.replace("{wave}", "<int:wave_id>").replace("{alumnus}", "<int:alumnus_id>")
            .replace("{invitation}", "<int:invitation_id>").replace("{code}", "<int:code_id>")
            .replace("{user}/deactivate", "<int:user_id>/<any(deactivate, activate):action>")
            .replace("{user}/activate", "<int:user_id>/<any(deactivate, activate):action>")
            .replace("{user}", "<int:user_id>")
            .replace("{job}", "<int:job_id>").replace("{kind}", "<kind>")
            .replace("{model}", "<int:model_id>"))  # --- retrain


def _finished_job(admin_email: str) -> int:
    """A done export job of someone else (an admin) with its result file (jobs, issue 8)."""
    from survey_app.jobs.runner import results_root
    from survey_app.models import Job

    job = Job(kind="export", actor=admin_email, params={"format": "csv"}, dedupe_key="access", state="done",
              done=0, personal_data=False, cancel_requested=False, attempts=1, result_name="r.csv")
    db.session.add(job)
    db.session.flush()
    job.result_path = f"{job.id}/r.csv"
    (results_root() / str(job.id)).mkdir(parents=True, exist_ok=True)
    (results_root() / str(job.id) / "r.csv").write_text("pid\r\n", encoding="utf-8")
    return job.id


@pytest.fixture
def objects(app, staff):
    with app.app_context():
        q = factories.make_questionnaire(SMALL_FORM)
        wave = factories.make_wave(q.id)
        alumnus = factories.make_alumnus([])
        invitation, _token = factories.make_invitation(wave, alumnus)
        code = factories.make_sector_code(invitation, "jual kopi keliling")
        job = _finished_job("someone-else@example.org")
        model = SectorModelVersion(version="sc1-access", status="retired", path="sector-models/none.npz",  # retrain
                                   people_codes=0, held_out_codes=0, created_by="test")
        db.session.add(model)
        db.session.commit()
        user = db.session.scalar(select(AdminUser).where(AdminUser.role == "viewer"))
        return {"wave": wave.id, "alumnus": alumnus.id, "external_id": alumnus.external_id,
                "invitation": invitation.id, "code": code.id, "user": user.id, "job": job, "kind": "codebook",
                "model": model.id}


def test_every_admin_route_is_covered_by_this_matrix(app):
    routes = {r.rule for r in app.url_map.iter_rules() if r.endpoint.startswith("admin.")}
    covered = {_rule(u) for u in {**PAGES, **ACTIONS}}
    assert routes - covered - {"/admin/login", "/admin/logout"} == set()


@pytest.mark.parametrize("url", PAGES)
def test_pages_need_a_login(client, objects, url):
    response = client.get(url.format(**objects))
    assert response.status_code == 302 and "/admin/login" in response.headers["Location"]


@pytest.mark.parametrize("role", ["admin", "researcher", "viewer"])
@pytest.mark.parametrize("url", PAGES)
def test_pages_follow_the_role_matrix(as_role, objects, role, url):
    client = as_role(role)
    response = client.get(url.format(**objects))
    expected = 200 if role in PAGES[url] else 403
    assert response.status_code == expected


@pytest.mark.parametrize("role, url", [(role, url) for url in ACTIONS for role in ("researcher", "viewer")
                                       if role not in ACTIONS[url]])
def test_actions_are_refused_to_lower_roles(as_role, objects, role, url):
    from tests.survey_app.admin.conftest import csrf_of

    client = as_role(role)
    token = csrf_of(client.get("/admin/password").get_data(as_text=True))
    response = client.post(url.format(**objects), data={"csrf_token": token, "reason": "x"})
    assert response.status_code == 403



def test_researcher_sees_pseudonyms_not_names(as_role, objects, app):
    client = as_role("researcher")
    html = client.get(f"/admin/waves/{objects['wave']}/invitations").get_data(as_text=True)
    assert objects["external_id"] not in html
    assert "Alumni " not in html  # factory names are "Alumni <n>"
    assert ">P" in html  # pseudonyms start with P


# Pages that are also forms (GET shows, POST acts); the next test checks this list is complete.
FORM_PAGES = ["/admin/password", "/admin/waves/{wave}/export", "/admin/waves/{wave}/messages/template",
              "/admin/coding/{code}", "/admin/waves/{wave}/report", "/admin/roster/upload",
              "/admin/questionnaires/xlsform",  # --- xlsform
              "/admin/waves/new",  # --- waves
              "/admin/waves/{wave}/second-coding"]  # --- retrain


def test_form_pages_list_is_complete(app):
    posting = {r.rule for r in app.url_map.iter_rules() if "POST" in r.methods}
    assert {u for u in PAGES if _rule(u) in posting} == set(FORM_PAGES)


@pytest.mark.parametrize("url", FORM_PAGES + list(ACTIONS) + ["/admin/logout"])
def test_every_staff_form_refuses_a_post_without_csrf_token(as_role, objects, url):
    client = as_role("admin")
    response = client.post(url.format(**objects), data={"code": "56303", "current": "x", "reason": "x"})
    assert response.status_code == 400

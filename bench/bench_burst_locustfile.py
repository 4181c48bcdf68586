"""Locust users for bench/bench_burst.py (run by it; not meant to be started by hand).

``SurveyRespondent``: one simulated person per personal link (tokens from the file in
``BURST_TOKENS``, one each). It opens the link, chooses Indonesian, then answers whatever page
the server shows, page after page, the way a browser without JavaScript does: it reads the
page's HTML form (BeautifulSoup), fills every visible question with a valid answer, posts,
follows the redirect, and submits on the review page. Answers follow the questionnaire's own
rules: choices come from the form, and every value is checked against the question's
``constraint`` (survey_app.questionnaire expressions, with the answers given so far) before
it is sent, so cross-page rules (profit <= revenue, workers for an employer) hold. A question
the definition does not know (e.g. a new type) gets a plain value by its input type. Buttons
with a name ("add another" in a repeat) are not pressed: the walker always presses the page's
plain submit button. Per user, the fields sent and the outcome go to ``BURST_RESULTS`` (JSON
lines) for the database check afterwards.

``BareFormUser``: the same number of GET + POST(+303 → GET) cycles with the same think time
against the bare Flask form app (bench/http_baseline_app.py): the same-run baseline.
"""
from __future__ import annotations

import json
import os
import random
import re
import sys
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import gevent
from bs4 import BeautifulSoup
from locust import HttpUser, between, events, task
from locust.exception import StopUser

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from survey_app.questionnaire.builder import build_from_text  # noqa: E402 - needs the sys.path line above

QUESTIONNAIRE = build_from_text(Path(os.environ.get(
    "BURST_QUESTIONNAIRE", REPO / "seeds" / "questionnaires" / "tracer_default.yaml")).read_text(encoding="utf-8"))
TOKENS = Path(os.environ["BURST_TOKENS"]).read_text(encoding="ascii").split() if os.environ.get("BURST_TOKENS") else []
# One line per respondent, written as each finishes; open for the whole Locust run.
RESULTS = open(os.environ["BURST_RESULTS"], "a", encoding="utf-8") \
    if os.environ.get("BURST_RESULTS") else None  # noqa: SIM115
BASELINE_CYCLES = int(os.environ.get("BURST_BASELINE_CYCLES", "12"))
THINK = tuple(float(x) for x in os.environ.get("BURST_THINK", "1-3").split("-"))
MAX_STEPS = 60  # a questionnaire longer than this is a loop, not a survey
STATE = {"done": 0}

TEXTS = [
    "jualan kopi susu dan roti bakar lewat WhatsApp",
    "servis sepeda motor dan jual suku cadang di rumah",
    "menjahit pakaian pesanan tetangga dan kantor desa",
    "desain grafis untuk toko daring lewat Instagram",
]
NUMBERS = [0, 1, 2, 3, 5, 8, 12, 20, 1975, 1985, 1990, 1995, 2000, 250_000, 750_000, 1_500_000, 3_000_000,
           6_000_000, 12_000_000]


# --------------------------------------------------------------------------- answers

def _as_answer(question, text: str):
    """The typed value the server will store for ``text`` (for constraints and the check)."""
    if question is not None and question.type in ("integer", "decimal"):
        return int(text) if question.type == "integer" else float(text)
    return text


# Questions whose answer is a repeat page's count: the server refuses a count outside
# 0..the repeat's maximum (a rule of the repeat, not a constraint the question states).
COUNT_LIMITS = {name: page.repeat.max for page in QUESTIONNAIRE.pages
                if page.repeat is not None and page.repeat.count is not None
                for name in page.repeat.count.references()}


def _passes(question, value, answers: dict) -> bool:
    if question is not None and question.name in COUNT_LIMITS and \
            not (isinstance(value, int) and 0 <= value <= COUNT_LIMITS[question.name]):
        return False
    if question is None or question.constraint is None:
        return True
    try:
        return question.constraint.is_true({**answers, question.name: value}, current=value)
    except Exception:  # noqa: BLE001 - an expression we cannot judge: let the server decide
        return True


def _candidates(question, kind: str, rng: random.Random) -> list[str]:
    """Plausible raw answers for a free-entry field, most natural first."""
    qtype = question.type if question is not None else kind
    if qtype in ("integer", "decimal", "number"):
        numbers = NUMBERS[:]
        rng.shuffle(numbers)
        return [str(n) for n in numbers]
    if qtype == "month_year" or kind == "month":
        return [f"{rng.randint(2015, 2024)}-{rng.randint(1, 12):02d}" for _ in range(8)] + ["2020-01"]
    if qtype == "date" or kind == "date":
        return [f"{rng.randint(2015, 2024)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}" for _ in range(8)]
    texts = TEXTS[:]
    rng.shuffle(texts)
    return texts


def fill_form(form, answers: dict, rng: random.Random,
              previous: dict[str, list[str]]) -> tuple[list[tuple[str, str]], dict[str, list[str]]]:
    """The body to post for ``form``: hidden fields as given, a valid answer for every visible
    question, and (separately) the answer fields sent, name -> values. Fields answered in
    ``previous`` (this page sent before, and shown again with newly opened questions) keep
    their values."""
    body: list[tuple[str, str]] = []
    sent: dict[str, list[str]] = {}
    for hidden in form.find_all("input", attrs={"type": "hidden"}):
        if hidden.get("name"):
            body.append((hidden["name"], hidden.get("value", "")))
    shown = []
    for block in form.select("div.q[data-name]"):
        question = QUESTIONNAIRE.questions.get(block["data-name"])
        if not _asked(question, block, answers):
            continue
        shown.append(block["data-name"])
        fields: dict[str, list] = {}
        for element in block.find_all(["input", "select", "textarea"]):
            if element.get("name") and element.get("type") not in ("hidden", "submit", "button"):
                fields.setdefault(element["name"], []).append(element)
        for name, elements in fields.items():
            values = previous[name] if name in previous else _choose(question, name, elements, answers, rng)
            sent[name] = values
            body.extend((name, value) for value in values)
    # As the browser's skip-logic script does: tell the server which questions were on screen.
    body = [(name, ",".join(shown) if name == "shown" else value) for name, value in body]
    return body, sent


def _offered(question, option: str, answers: dict) -> bool:
    """Whether the question's choice filter offers ``option`` given the answers so far."""
    if question is None or question.choice_filter is None:
        return True
    try:
        return question.choice_filter.is_true(answers, choice={"name": option})
    except Exception:  # noqa: BLE001 - a filter reading choice keys we do not know: the server decides
        return True


def _asked(question, block, answers: dict) -> bool:
    """Whether a question block is on screen, deciding its relevance from the answers so far
    (this page's included) as the browser's skip logic would; unknown ones as the server drew them."""
    if question is None or question.relevant is None:
        return not block.has_attr("hidden")
    try:
        return question.relevant.is_true(answers)
    except Exception:  # noqa: BLE001 - an expression we cannot judge: as the server drew it
        return not block.has_attr("hidden")


def _choose(question, name: str, elements: list, answers: dict, rng: random.Random) -> list[str]:
    first = elements[0]
    consent = QUESTIONNAIRE.consent
    item = name.split("__", 1)[1] if "__" in name else None  # each_of: one field per item

    def record(value):
        if question is None:
            return
        if item is None:
            answers[question.name] = value
        else:
            answers.setdefault(question.name, {})[item] = value

    if first.name == "select" or first.get("type") in ("radio", "checkbox"):
        if first.name == "select":
            options = [o.get("value", "") for o in first.find_all("option") if o.get("value")]
        else:
            options = [e.get("value", "") for e in elements
                       if not (e.find_parent("label") and e.find_parent("label").has_attr("hidden"))]
        options = [o for o in options if _offered(question, o, answers)] or options
        if consent is not None and question is not None and question.name == consent.question:
            record(consent.accept)
            return [consent.accept]  # a respondent who declines never reaches the other pages
        multiple = first.get("type") == "checkbox" or first.has_attr("multiple")
        tries = []
        for _ in range(12):
            if multiple:
                tries.append(sorted(rng.sample(options, k=min(len(options), rng.choice([1, 1, 2, 3])))))
            else:
                tries.append([rng.choice(options)])
        tries += [[option] for option in options]
        for values in tries:
            value = values if multiple else values[0]
            if _passes(question, value, answers):
                record(value)
                return values
        record(tries[-1] if multiple else tries[-1][0])
        return tries[-1]
    kind = first.get("type") or first.name
    for raw in _candidates(question, kind, rng):
        value = _as_answer(question, raw)
        if _passes(question, value, answers):
            record(value)
            return [raw]
    raw = _candidates(question, kind, rng)[0]
    record(_as_answer(question, raw))
    return [raw]


# --------------------------------------------------------------------------- users

def _page_name(url: str) -> str:
    path = urlsplit(url).path
    return path.rsplit("/p/", 1)[1] if "/p/" in path else path.rsplit("/", 1)[-1]


class SurveyRespondent(HttpUser):
    """One person with their own link, answering the whole questionnaire once."""

    wait_time = between(*THINK)

    def on_start(self):
        self.token = TOKENS.pop() if TOKENS else None
        self.rng = random.Random(self.token)
        # A phone that thinks for seconds finds gunicorn's keep-alive (2 s) expired: every page
        # is a new connection, as in real life; reusing a closed one would fail as "status 0".
        self.client.headers["Connection"] = "close"

    def _form(self, response, action_part: str | None = None):
        soup = BeautifulSoup(response.text, "html.parser")
        for form in soup.find_all("form", attrs={"method": "post"}):
            if action_part is None or action_part in str(form.get("action") or ""):
                return form
        return None

    def _post(self, url: str, body, name: str):
        with self.client.post(url, data=body, name=name, catch_response=True) as response:
            # 200 without a redirect is the same page again with newly opened questions (no JS).
            if response.status_code != 200 or (response.history and response.history[0].status_code != 303):
                response.failure(f"{response.status_code} (history {[r.status_code for r in response.history]})")
            return response

    def _finish(self, outcome: str, **details):
        STATE["done"] += 1
        if RESULTS is not None:
            RESULTS.write(json.dumps({"token": self.token, "outcome": outcome, **details}) + "\n")
            RESULTS.flush()
        raise StopUser()

    @task
    def complete_survey(self):
        if self.token is None:
            # Locust starts a replacement when a respondent finishes while users are still being
            # spawned; every link is taken by then. It stays idle until the run ends: stopping
            # would only start another, and it must not count as a respondent who finished.
            gevent.sleep(24 * 3600)
            return
        answers: dict = {}
        sent: dict[str, list[str]] = {}
        pages: list[str] = []
        response = self.client.get(f"/s/{self.token}", name="GET link (welcome)")
        form = self._form(response, "/start") if response.status_code == 200 else None
        if form is None:
            self._finish("no welcome form", status=response.status_code)
        body = [(i["name"], i.get("value", "")) for i in form.find_all("input", attrs={"type": "hidden"})]
        body.append(("language", "id"))
        self.wait()
        response = self._post(urljoin(response.url, form["action"]), body, "POST start (+first page)")
        for _ in range(MAX_STEPS):
            if response.status_code not in (200, 422):
                self._finish("unexpected status", status=response.status_code, pages=pages, sent=sent)
            if "/p/" in urlsplit(response.url).path:
                form = self._form(response, "/p/")
                if form is None:
                    self._finish("page without form", url=response.url, pages=pages, sent=sent)
                page = _page_name(response.url)
                again = {k: v for k, v in sent.items() if pages and pages[-1] == page}
                body, fields = fill_form(form, answers, self.rng, again)
                if "/" in page:  # a repeat instance: stored as one mapping per instance under the page
                    repeat, instance = page.split("/", 1)
                    fields = {f"{repeat}#{instance}:{name}": values for name, values in fields.items()}
                sent.update(fields)
                pages.append(page)
                self.wait()
                response = self._post(urljoin(response.url, form["action"]), body, "POST page (+next page)")
                if response.status_code == 422:
                    errors = [e.get_text(" ", strip=True) for e in
                              BeautifulSoup(response.text, "html.parser").select(".q.has-error")]
                    self._finish("answers refused", page=page, pages=pages, sent=sent, errors=errors)
            elif urlsplit(response.url).path.endswith("/review"):
                form = self._form(response, "/submit")
                if form is None:
                    self._finish("review without submit", pages=pages, sent=sent)
                body = [(i["name"], i.get("value", "")) for i in form.find_all("input", attrs={"type": "hidden"})]
                self.wait()
                response = self._post(urljoin(response.url, form["action"]), body, "POST submit (+thank-you)")
                done = response.status_code == 200 and "data-draft-clear" in response.text
                self._finish("submitted" if done else "no thank-you page", pages=pages, sent=sent,
                             status=response.status_code)
            else:
                self._finish("lost", url=response.url, pages=pages, sent=sent)
        self._finish("too many steps", pages=pages, sent=sent)



class BareFormUser(HttpUser):
    """The baseline: GET the bare form, then POST it (303 → GET) as often as a respondent posts."""

    wait_time = between(*THINK)

    def on_start(self):
        self.client.headers["Connection"] = "close"  # as for the respondents

    @task
    def cycles(self):
        response = self.client.get("/", name="GET bare form")
        csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', response.text) or \
            re.search(r'name="csrf_token"[^>]*value="([^"]+)"', response.text)
        for index in range(BASELINE_CYCLES):
            self.wait()
            body = {"csrf_token": csrf.group(1) if csrf else "", "name": "Ani", "birth_year": str(1950 + index)}
            with self.client.post("/", data=body, name="POST bare form (+GET)", catch_response=True) as reply:
                if reply.status_code != 200 or not reply.history or reply.history[0].status_code != 303:
                    reply.failure(f"{reply.status_code}")
        STATE["done"] += 1
        raise StopUser()



@events.init.add_listener
def _quit_when_everyone_is_done(environment, **_kwargs):
    """Users stop after their one run; end the test once all of them have."""
    target = int(os.environ.get("BURST_USERS", "0"))

    def watch():
        while True:
            gevent.sleep(1)
            if target and STATE["done"] >= target:
                gevent.sleep(3)  # let the CSV stats writer (every second) catch the last requests
                environment.runner.quit()
                return

    if target:
        gevent.spawn(watch)

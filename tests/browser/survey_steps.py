"""Answering the default questionnaire in a real browser, the way a person on a phone would.

Every step waits on what the person would see (the next page's heading) rather than on
time, using Playwright's auto-waiting ``expect``.
"""
from __future__ import annotations

import re
from collections.abc import Callable

from playwright.sync_api import Page, expect
from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import Response

SAVE = "Simpan dan lanjut"
TITLES = {  # Indonesian <h1> of each page of tracer_default.yaml, in order
    "consent_page": "Selamat datang",
    "about": "Tentang Anda",
    "trainings": "Pelatihan Anda",
    "usefulness": "Manfaat pelatihan",
    "work": "Kegiatan 7 hari terakhir",
    "job": "Pekerjaan dan usaha Anda",
    "since_training": "Sejak pelatihan",
    "business_about": "Usaha Anda",
    "business_money": "Pendapatan dan pekerja usaha",
    "business_support": "Modal dan pelatihan",
    "income": "Penghasilan",
    "training_use": "Pendapat Anda tentang pelatihan",
    "review": "Periksa jawaban Anda",
    "thanks": "Terima kasih!",
}
TRAINING_TITLES = {"TRN-BRW-A": "Barista Kopi Dasar", "TRN-BRW-B": "Desain Grafis dengan Canva"}
BUSINESS = "jualan kopi susu dan roti bakar untuk pekerja kantor lewat WhatsApp"

# What the person in the main scenario answers: an own-account worker with a business.
EXPECTED_ANSWERS = {
    "consent": "yes",
    "birth_year": 1995,
    "sex": "female",
    "province": "32",
    "education": "vocational_secondary",
    "trainings_finished": ["TRN-BRW-A", "TRN-BRW-B"],
    "training_usefulness": {"TRN-BRW-A": "4", "TRN-BRW-B": "3"},
    "worked_last_week": "yes",
    "main_activity": "working",
    "job_status": "1",
    "job_change": "new_business",
    "tracer_status": "self_employed",  # calculate: the five-way tracer status
    "first_work_timing": "after",
    "months_to_first_work": 2,
    "business_description": BUSINESS,
    "business_started": "2022-03",
    "business_channels": ["marketplace", "social_media"],
    "business_revenue": 3_000_000,
    "business_profit": 1_000_000,
    "workers_paid": 0,
    "workers_unpaid": 1,
    "workers_total": 1,           # engine v2: calculate (workers_paid + workers_unpaid)
    "capital_sources": ["incentive", "savings"],
    "business_training_link": "started_because",
    "business_training": ["TRN-BRW-A"],
    "other_business_count": 0,    # engine v2: default "0" kept, so no repeat page
    "income_before": 1_000_000,
    "income_now": 2_500_000,
    "skills_use": "weekly",
    "skills_improved": "yes",
    "incentive_received": "yes",
    "incentive_use": ["daily_needs", "business_capital"],
    "most_useful_training": "TRN-BRW-A",
    "satisfaction": "4",
    "recontact": "yes",
}


def heading(page: Page):
    return page.get_by_role("heading", level=1)


def expect_page(page: Page, name: str) -> None:
    """Wait until the page ``name`` (a key of TITLES) is shown."""
    expect(heading(page)).to_have_text(TITLES[name])


def block(page: Page, question: str):
    """The block of one question (its label, hint, error and inputs)."""
    return page.locator(f"#q-{question}")


def choose(page: Page, question: str, *labels: str) -> None:
    """Tick the choices with these visible labels (radio or checkboxes) of one question."""
    for label in labels:
        block(page, question).get_by_label(label, exact=True).check()


def choose_for_item(page: Page, question: str, item_label: str, label: str) -> None:
    """Tick a choice in the fieldset of one repeated item (``each_of`` questions)."""
    group = block(page, question).get_by_role("group", name=re.compile(re.escape(item_label)))
    group.get_by_label(label, exact=True).check()


def type_into(page: Page, question: str, text: str) -> None:
    page.locator(f"[name='{question}']").fill(text)


def save(page: Page, next_page: str | None = None) -> None:
    """Press "Save and continue"; wait for ``next_page`` when given."""
    page.get_by_role("button", name=SAVE).click()
    if next_page is not None:
        expect_page(page, next_page)


def start(page: Page, url: str) -> None:
    """Open the link, keep Indonesian, start, and agree to take part."""
    page.goto(url)
    expect(page.get_by_role("heading", level=1)).to_have_text("Survei Alumni Kartu Prakerja")
    expect(page.get_by_label("Bahasa Indonesia")).to_be_checked()
    page.get_by_role("button", name="Mulai").click()
    expect_page(page, "consent_page")
    choose(page, "consent", "Ya, saya setuju ikut survei ini")
    save(page, "about")


def answer_about(page: Page) -> None:
    type_into(page, "birth_year", "1995")
    choose(page, "sex", "Perempuan")
    page.locator("#province").select_option(label="Jawa Barat")  # 38 provinces: a dropdown
    choose(page, "education", "SMK")


def answer_trainings(page: Page) -> None:
    choose(page, "trainings_finished", *TRAINING_TITLES.values())


def answer_usefulness(page: Page) -> None:
    choose_for_item(page, "training_usefulness", "Barista Kopi Dasar", "Sangat bermanfaat")
    choose_for_item(page, "training_usefulness", "Desain Grafis dengan Canva", "Cukup bermanfaat")


def answer_work_yes(page: Page) -> None:
    choose(page, "worked_last_week", "Ya")
    choose(page, "main_activity", "Bekerja")


def answer_job_own_account(page: Page) -> None:
    choose(page, "job_status", "Berusaha sendiri (usaha sendiri, tanpa dibantu orang lain)")
    choose(page, "job_change", "Usaha baru, dimulai setelah pelatihan")


def answer_since_training(page: Page) -> None:
    choose(page, "first_work_timing", "Mulai bekerja atau berusaha setelah pelatihan")
    type_into(page, "months_to_first_work", "2")


def answer_business_about(page: Page) -> None:
    type_into(page, "business_description", BUSINESS)
    type_into(page, "business_started", "2022-03")
    choose(page, "business_channels", "Marketplace (misalnya Shopee, Tokopedia)",
           "Media sosial atau WhatsApp (Facebook, Instagram, TikTok, grup WA)")


def answer_business_money(page: Page) -> None:
    type_into(page, "business_revenue", "3.000.000")  # people type thousands dots anyway
    type_into(page, "business_profit", "1000000")
    type_into(page, "workers_paid", "0")
    type_into(page, "workers_unpaid", "1")


def answer_business_support(page: Page) -> None:
    choose(page, "capital_sources", "Tabungan sendiri", "Insentif Kartu Prakerja")
    choose(page, "business_training_link", "Saya memulai usaha ini karena pelatihan Prakerja")
    expect(block(page, "business_training")).to_be_visible()  # follow-up shown at once
    choose(page, "business_training", "Barista Kopi Dasar")


def answer_income(page: Page) -> None:
    type_into(page, "income_before", "1.000.000")
    type_into(page, "income_now", "2500000")


def answer_training_use(page: Page) -> None:
    choose(page, "skills_use", "Beberapa kali seminggu")
    choose(page, "most_useful_training", "Barista Kopi Dasar")
    choose(page, "skills_improved", "Ya")
    choose(page, "incentive_received", "Ya")
    choose(page, "incentive_use", "Kebutuhan sehari-hari (misalnya makan, transport)", "Modal usaha")
    choose(page, "satisfaction", "Puas")
    choose(page, "recontact", "Ya")


# (page shown, how to answer it, page expected next) for the main scenario.
MAIN_SCENARIO: list[tuple[str, Callable[[Page], None], str]] = [
    ("about", answer_about, "trainings"),
    ("trainings", answer_trainings, "usefulness"),
    ("usefulness", answer_usefulness, "work"),
    ("work", answer_work_yes, "job"),
    ("job", answer_job_own_account, "since_training"),
    ("since_training", answer_since_training, "business_about"),
    ("business_about", answer_business_about, "business_money"),
    ("business_money", answer_business_money, "business_support"),
    ("business_support", answer_business_support, "income"),
    ("income", answer_income, "training_use"),
    ("training_use", answer_training_use, "review"),
]


def answer_until(page: Page, url: str, stop_at: str,
                 on_page: Callable[[Page, str], None] | None = None) -> None:
    """Start the survey and answer the main scenario's pages until ``stop_at`` is shown."""
    start(page, url)
    for name, answer, following in MAIN_SCENARIO:
        if name == stop_at:
            return
        if on_page is not None:
            on_page(page, name)
        answer(page)
        save(page, following)
    expect_page(page, stop_at)


def stored_response(app, invitation_id: int) -> Response | None:
    with app.app_context():
        response = db.session.scalar(select(Response).where(Response.invitation_id == invitation_id))
        if response is not None:
            db.session.expunge(response)
        return response

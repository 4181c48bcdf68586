"""Accessibility smoke test on a phone: labels, language, error focus, no sideways scrolling."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.survey_steps import answer_until, block, save

pytestmark = pytest.mark.browser

# Problems a screen-reader or phone user would hit on the page as currently shown.
FIND_PROBLEMS = """() => {
  const problems = [];
  const text = (node) => (node ? node.textContent.replace(/\\s+/g, " ").trim() : "");
  const ids = new Map();
  for (const node of document.querySelectorAll("[id]")) { ids.set(node.id, (ids.get(node.id) || 0) + 1); }
  for (const [id, count] of ids) { if (count > 1) { problems.push(`id "${id}" used ${count} times`); } }
  for (const el of document.querySelectorAll("input:not([type=hidden]), select, textarea")) {
    if (!el.checkVisibility()) { continue; }
    const name = `${el.tagName.toLowerCase()}[name=${el.name}]` + (el.value ? `[value=${el.value}]` : "");
    const labelled = Array.from(el.labels || []).some((label) => text(label) !== "");
    const fieldset = el.closest("fieldset");
    const legend = fieldset ? fieldset.querySelector(":scope > legend") : null;
    if (!labelled && !text(legend)) { problems.push(`${name} has no label`); }
    if ((el.type === "radio" || el.type === "checkbox") && !text(legend)) {
      problems.push(`${name} is a choice outside a fieldset with a legend`);
    }
    for (const ref of (el.getAttribute("aria-describedby") || "").split(/\\s+/).filter(Boolean)) {
      if (!document.getElementById(ref)) { problems.push(`${name} is described by missing #${ref}`); }
    }
  }
  for (const choice of document.querySelectorAll("label.choice")) {
    if (choice.checkVisibility() && choice.scrollWidth > choice.clientWidth + 1) {
      problems.push(`choice "${text(choice)}" spills out of its box`);
    }
  }
  const root = document.documentElement;
  if (root.scrollWidth > root.clientWidth + 1) {
    problems.push(`page is ${root.scrollWidth}px wide on a ${root.clientWidth}px screen`);
  }
  return problems;
}"""


def assert_accessible(page: Page, where: str) -> None:
    expect(page.locator("html")).to_have_attribute("lang", "id")
    expect(page.get_by_role("heading", level=1)).to_have_count(1)
    assert page.evaluate(FIND_PROBLEMS) == [], where


def test_every_page_is_labelled_in_indonesian_and_fits_a_phone(survey, phone):
    checked = []

    def check(page, name):
        assert_accessible(page, name)
        checked.append(name)

    answer_until(phone, survey.url, "review", on_page=check)
    assert_accessible(phone, "review")
    assert len(checked) == 11  # the question pages of the main scenario

    phone.goto(survey.url)  # the welcome page too
    assert_accessible(phone, "welcome")


def test_error_summary_takes_focus_and_points_to_each_wrong_answer(survey, phone):
    answer_until(phone, survey.url, "about")
    phone.locator("[name='birth_year']").fill("1800")
    save(phone)

    summary = phone.locator("#error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_have_attribute("role", "alert")
    expect(phone).to_have_title(re.compile(r"^Kesalahan: Tentang Anda"))
    expect(summary.get_by_role("link")).to_have_count(4)  # birth year out of range + 3 unanswered
    expect(phone.locator("#error-birth_year")).to_have_text("Tulis tahun lahir antara 1940 dan 2008, contoh: 1995.")
    birth_year = phone.locator("[name='birth_year']")
    expect(birth_year).to_have_attribute("aria-invalid", "true")
    expect(birth_year).to_have_value("1800")  # what was typed is shown again
    assert "error-birth_year" in birth_year.get_attribute("aria-describedby").split()
    assert_accessible(phone, "about, with errors")

    summary.get_by_role("link").first.click()  # following a summary link moves to the question
    expect(phone).to_have_url(f"{survey.url}/p/about#q-birth_year")
    expect(block(phone, "birth_year")).to_be_in_viewport()

    birth_year.fill("1995")
    block(phone, "sex").get_by_label("Laki-laki", exact=True).check()
    phone.locator("#province").select_option("31")
    block(phone, "education").get_by_label("SMA/MA atau sederajat", exact=True).check()
    save(phone, "trainings")

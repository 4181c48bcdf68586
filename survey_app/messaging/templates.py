"""Per-wave e-mail templates: checked, stored, looked up and filled in.

A template is a subject and a plain-text body with ``{placeholder}`` fields, as in Python's
``str.format`` but limited to bare names from :data:`PLACEHOLDERS` (no attributes, indexes,
conversions or format specs), so staff-written text can never reach into Python objects.
``{{`` and ``}}`` stand for literal braces. The body must contain ``{link}``.

A wave without its own wording uses the built-in default in
``seeds/messages/<kind>.<language>.txt`` (first line ``Subject: …``, then the body).
"""
from __future__ import annotations

import html
import re
import string
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import MessageTemplate, Wave
from survey_app.models.types import utcnow

KINDS = MessageTemplate.KINDS
LANGUAGES = ("id", "en")
PLACEHOLDERS = ("name", "link", "wave", "closes")
REQUIRED_IN_BODY = ("link",)
MAX_SUBJECT = 200
MAX_BODY = 20_000
# Line breaks and other control characters in a personal value could start new mail headers
# (in the subject) or fake structure; they are replaced by spaces.
_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]+")


class TemplateError(ValueError):
    """A template is unusable; ``problems`` are sentences meant for staff."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Template:
    """A checked template for one wave, kind and language."""

    kind: str
    language: str
    subject: str
    body: str
    source: str  # "wave" (edited for this wave) or the default file's name

    def render(self, values: dict[str, str]) -> RenderedMessage:
        """Fill in the placeholders: plain-text subject and body, and an HTML alternative."""
        clean = {key: _CONTROL.sub(" ", str(value)).strip() for key, value in values.items()}
        subject = _fill(self.subject, clean)
        text = _fill(self.body, clean)
        html_values = {key: html.escape(value, quote=True) for key, value in clean.items()}
        link = html_values.get("link", "")
        html_values["link"] = f'<a href="{link}">{link}</a>'
        html_body = _html_paragraphs(self.body, html_values)
        return RenderedMessage(subject=subject, text=text, html=html_body)


@dataclass(frozen=True)
class RenderedMessage:
    subject: str
    text: str
    html: str


def check(subject: str, body: str) -> list[str]:
    """Every problem with a subject/body pair (empty list: usable)."""
    problems = []
    if not subject.strip():
        problems.append("the subject is empty")
    elif len(subject) > MAX_SUBJECT:
        problems.append(f"the subject is longer than {MAX_SUBJECT} characters")
    elif "\n" in subject.strip() or "\r" in subject.strip():
        problems.append("the subject must be a single line")
    if len(body) > MAX_BODY:
        problems.append(f"the text is longer than {MAX_BODY} characters")
    body_fields: list[str] | None = None
    for part, text in (("subject", subject), ("text", body)):
        try:
            fields = _fields(text)
        except ValueError as exc:
            problems.append(f"the {part} has a stray brace ({exc}); write {{{{ or }}}} for a literal brace")
            continue
        if part == "text":
            body_fields = fields
        for field in dict.fromkeys(fields):
            if field not in PLACEHOLDERS:
                problems.append(f"the {part} uses the unknown placeholder {{{field}}}; "
                                f"allowed: {', '.join('{' + p + '}' for p in PLACEHOLDERS)}")
    if body_fields is not None:
        for required in REQUIRED_IN_BODY:
            if required not in body_fields:
                problems.append(f"the text must contain {{{required}}} (the person's survey link)")
    return problems


def _fields(text: str) -> list[str]:
    """The placeholder names in ``text``; ValueError for malformed braces."""
    fields = []
    for _literal, field, spec, conversion in string.Formatter().parse(text):
        if field is None:
            continue
        if spec or conversion or not field:
            # "{name!r}", "{name:>10}", "{}": shown whole so staff see what to fix.
            shown = field + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "")
            fields.append(shown)
        else:
            fields.append(field)
    return fields


def _fill(text: str, values: dict[str, str]) -> str:
    # Not str.format: the field names were checked to be bare names, and values are inserted
    # as they are (never interpreted again), so braces in a person's name stay literal.
    out = []
    for literal, field, _spec, _conversion in string.Formatter().parse(text):
        out.append(literal)
        if field is not None:
            out.append(values.get(field, ""))
    return "".join(out)


def _html_paragraphs(body: str, html_values: dict[str, str]) -> str:
    escaped_literals = []
    for literal, field, _spec, _conversion in string.Formatter().parse(body):
        escaped_literals.append(html.escape(literal, quote=False))
        if field is not None:
            escaped_literals.append(html_values.get(field, ""))
    text = "".join(escaped_literals).replace("\r\n", "\n")
    paragraphs = [p.replace("\n", "<br>\n") for p in re.split(r"\n\s*\n", text.strip())]
    return "<!doctype html>\n<html><body>\n" + "\n".join(f"<p>{p}</p>" for p in paragraphs) + "\n</body></html>\n"


# -- Defaults shipped in seeds/messages -------------------------------------------------------------

def default_path(kind: str, language: str) -> Path:
    return Path(current_app.config["SEEDS_DIR"]) / "messages" / f"{kind}.{language}.txt"


def parse_default(text: str, name: str) -> tuple[str, str]:
    """Split a default file into (subject, body); TemplateError if the first line is no subject."""
    text = text.replace("\r\n", "\n").lstrip("\ufeff")
    first, _, rest = text.partition("\n")
    if not first.lower().startswith("subject:"):
        raise TemplateError([f"{name}: the first line must be 'Subject: …'"])
    return first[len("subject:"):].strip(), rest.lstrip("\n")


def default_template(kind: str, language: str) -> Template | None:
    """The built-in default, or None when there is no file for this kind and language."""
    path = default_path(kind, language)
    if not path.is_file():
        return None
    subject, body = parse_default(path.read_text(encoding="utf-8"), path.name)
    return Template(kind, language, subject, body, source=path.name)


# -- Per wave ---------------------------------------------------------------------------------------

def stored(wave: Wave, kind: str, language: str) -> MessageTemplate | None:
    """The wave's own wording, if staff edited it."""
    return db.session.scalar(select(MessageTemplate).where(
        MessageTemplate.wave_id == wave.id, MessageTemplate.kind == kind, MessageTemplate.language == language))


def template_for(wave: Wave, kind: str, language: str) -> Template:
    """The checked template to use; TemplateError with a clear message if there is none or it is bad."""
    if kind not in KINDS:
        raise TemplateError([f"unknown message kind {kind!r} (use {' or '.join(KINDS)})"])
    row = stored(wave, kind, language)
    if row is not None:
        template = Template(kind, language, row.subject, row.body, source="wave")
    else:
        default = default_template(kind, language)
        if default is None:
            raise TemplateError([
                f"no {kind} template in language {language!r} for wave {wave.name!r}: "
                f"write one on the staff site (Messages) or add {default_path(kind, language)}"])
        template = default
    problems = check(template.subject, template.body)
    if problems:
        where = f"the {kind} template ({language}) of wave {wave.name!r}" if template.source == "wave" \
            else f"the default template {template.source}"
        raise TemplateError([f"{where}: {p}" for p in problems])
    return template


def save(wave: Wave, kind: str, language: str, subject: str, body: str, by: str) -> MessageTemplate:
    """Store and commit the wave's wording after checking it; TemplateError if unusable."""
    if kind not in KINDS:
        raise TemplateError([f"unknown message kind {kind!r}"])
    if language not in LANGUAGES:
        raise TemplateError([f"unknown language {language!r} (use {' or '.join(LANGUAGES)})"])
    subject = subject.strip()
    body = body.replace("\r\n", "\n")
    problems = check(subject, body)
    if problems:
        raise TemplateError(problems)
    row = stored(wave, kind, language)
    if row is None:
        row = MessageTemplate(wave_id=wave.id, kind=kind, language=language)
        db.session.add(row)
    row.subject, row.body, row.updated_by, row.updated_at = subject, body, by, utcnow()
    db.session.commit()
    return row


def reset(wave: Wave, kind: str, language: str) -> bool:
    """Go back to the built-in default (committed); True if the wave had its own wording."""
    row = stored(wave, kind, language)
    if row is None:
        return False
    db.session.delete(row)
    db.session.commit()
    return True

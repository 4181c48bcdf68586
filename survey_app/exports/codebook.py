"""The codebook: every exported variable with its labels, type, values, relevance and flags."""
from __future__ import annotations

import csv
import json
from collections.abc import Sequence
from pathlib import Path

from markupsafe import escape

from survey_app.exports.columns import BINARY, Column
from survey_app.exports.writers import BINARY_LABELS, neutralise

FIELDS = ("variable", "question", "item", "type", "question_type", "choices_from", "label_id", "label_en",
          "values", "relevant", "sensitive", "personal", "repeat", "instance")


def values_of(column: Column) -> list[dict]:
    """The labelled values of a column: raw value (as in CSV), numeric code (Stata/SPSS), labels."""
    if column.kind == BINARY:
        return [{"value": "1", "code": 1,
                 "label_id": BINARY_LABELS[0].get("id"), "label_en": BINARY_LABELS[0].get("en")},
                {"value": "0", "code": 0,
                 "label_id": BINARY_LABELS[1].get("id"), "label_en": BINARY_LABELS[1].get("en")}]
    return [{"value": v.raw, "code": v.code, "label_id": v.label.get("id"), "label_en": v.label.get("en")}
            for v in column.values]


def codebook_rows(columns: Sequence[Column]) -> list[dict]:
    """One dict per variable, keys :data:`FIELDS` (``values`` as a list)."""
    return [{
        "variable": c.name, "question": c.question or "", "item": c.item or "", "type": c.kind,
        "question_type": c.question_type, "choices_from": c.choices_from or "",
        "label_id": c.label.get("id"), "label_en": c.label.get("en"), "values": values_of(c),
        "relevant": c.relevant, "sensitive": c.sensitive, "personal": c.personal,
        "repeat": c.repeat or "", "instance": c.instance or "",
    } for c in columns]


def write_codebook_csv(path: Path, columns: Sequence[Column]) -> None:
    """CSV with :data:`FIELDS`; ``values`` is a JSON list, flags are ``true``/``false``."""
    with Path(path).open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow(FIELDS)
        for row in codebook_rows(columns):
            writer.writerow([_cell(row[f]) for f in FIELDS])


def _cell(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return json.dumps(value, ensure_ascii=False) if value else ""
    return neutralise(str(value))


def variable_sheet(columns: Sequence[Column]) -> list[list[str]]:
    """Rows for the "variables" sheet of an XLSX export."""
    lines = [["variable", "label_id", "label_en", "type", "values"]]
    for row in codebook_rows(columns):
        values = "; ".join(f"{v['code']}={v['value']}: {v['label_id']} / {v['label_en']}" for v in row["values"])
        lines.append([row["variable"], row["label_id"], row["label_en"], row["type"], values])
    return lines


def render_codebook_html(columns: Sequence[Column], title: str) -> str:
    """A self-contained HTML page (every text escaped)."""
    parts = [
        "<!doctype html><html><head><meta charset='utf-8'>",
        f"<title>{escape(title)}</title>",
        "<style>body{font-family:sans-serif;margin:1rem}table{border-collapse:collapse}"
        "td,th{border:1px solid #ccc;padding:.3rem;vertical-align:top;text-align:left}"
        ".flag{color:#b00020;font-weight:600}</style></head><body>",
        f"<h1>{escape(title)}</h1><table><thead><tr>",
        "".join(f"<th>{escape(h)}</th>" for h in
                ("variable", "label (id)", "label (en)", "type", "values", "relevant", "flags")),
        "</tr></thead><tbody>",
    ]
    for row in codebook_rows(columns):
        values = "<br>".join(
            f"{escape(v['code'])} = <code>{escape(v['value'])}</code>: "
            f"{escape(v['label_id'])} / {escape(v['label_en'])}"
            for v in row["values"])
        if row["choices_from"]:
            values = escape(f"codes from {row['choices_from']}")
        flags = " ".join(name for name in ("sensitive", "personal") if row[name])
        kind = row["type"] + (f" ({row['question_type']})" if row["question_type"] else "")
        parts.append(
            f"<tr><td><code>{escape(row['variable'])}</code></td><td>{escape(row['label_id'])}</td>"
            f"<td>{escape(row['label_en'])}</td><td>{escape(kind)}</td><td>{values}</td>"
            f"<td><code>{escape(row['relevant'])}</code></td><td class='flag'>{escape(flags)}</td></tr>")
    parts.append("</tbody></table></body></html>")
    return "".join(parts)

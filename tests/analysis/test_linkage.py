"""Linking businesses to the roster's trainings: sector map, text similarity, own answer."""
import pandas as pd
import pytest

from analysis import link_businesses, load_dataset, load_sector_map, most_related_training
from analysis.errors import SeedDataError
from analysis.linkage import training_divisions

CATALOGUE = pd.DataFrame({
    "code": ["T-KOPI", "T-JAHIT", "T-EXCEL", "TRN-054"],
    "title": ["Barista Kopi Dasar", "Menjahit Pakaian untuk Pemula", "Microsoft Excel", "Memulai Usaha Kecil"],
    "provider": ["A", "B", "C", "D"],
    "category": ["food_beverage", "lifestyle", "office", "management"],
    "description": ["Membuat kopi espresso dan minuman kopi susu untuk kedai", "Menjahit baju, celana dan gamis",
                    "Rumus dan tabel untuk kantor", "Merencanakan usaha apa saja"],
})


def _dataset(tmp_path, people):
    """A tiny dataset: ``people`` = list of (pid, trainings, answers, division)."""
    out = tmp_path / "ds"
    out.mkdir()
    alumni = pd.DataFrame({"pid": [p[0] for p in people], "province": "32", "sex": "F", "birth_year": 1990,
                           "cohort": "G1", "invitation_status": "submitted"})
    enrollments = pd.DataFrame([(pid, code, "2021-01-15") for pid, codes, _a, _d in people for code in codes],
                               columns=["pid", "training_code", "completed_at"])
    rows, codes = [], []
    for pid, _codes, answers, division in people:
        rows.append({"pid": pid, "wave": "w", "status": "submitted", **answers})
        if division:
            codes.append({"pid": pid, "question": "business_description", "kbli5": "", "division": division,
                          "section": "X", "confidence": "", "status": "manual"})
    columns = ["job_status", "side_business", "job_change", "business_description", "business_started",
               "business_training_link", "business_training"]
    responses = pd.DataFrame(rows).reindex(columns=["pid", "wave", "status", *columns])
    codebook = pd.DataFrame({"variable": responses.columns, "question": ["", "", "", *columns], "item": "",
                             "type": ["string"] * 3 + ["code", "code", "code", "string", "string", "code", "string"],
                             "question_type": ""})
    tables = {"alumni.csv": alumni, "trainings.csv": CATALOGUE, "enrollments.csv": enrollments,
              "responses.csv": responses, "codebook.csv": codebook,
              "codes.csv": pd.DataFrame(codes, columns=["pid", "question", "kbli5", "division", "section",
                                                        "confidence", "status"])}
    for name, table in tables.items():
        table.to_csv(out / name, index=False)
    (out / "manifest.json").write_text('{"format": "jejak-dataset", "format_version": 1, "wave": "w", '
                                       '"created_at": "2026-11-01T00:00:00Z"}')
    return load_dataset(out)


def test_linking_cases(tmp_path):
    people = [
        # exact sector match: coffee shop (56) and a barista training (food_beverage → 56)
        ("P1", ["T-EXCEL", "T-KOPI"], {"job_status": "1", "business_description": "kedai kopi susu dekat kampus",
                                       "business_training_link": "started_because", "business_training": "T-KOPI"},
         "56"),
        # tailoring (14) as a side business; the person says it is unrelated: a disagreement
        ("P2", ["T-JAHIT", "T-EXCEL"], {"job_status": "4", "side_business": "yes",
                                        "business_description": "jahit baju gamis pesanan tetangga",
                                        "business_training_link": "unrelated"}, "14"),
        # no business
        ("P3", ["T-KOPI"], {"job_status": "4", "side_business": "no"}, None),
        # a business but no roster trainings
        ("P4", [], {"job_status": "2", "business_description": "bengkel las pagar",
                    "business_training_link": "helped_existing"}, "25"),
        # generic "start any business" training: every division is in line
        ("P5", ["TRN-054"], {"job_status": "1", "business_description": "ternak lele di kolam terpal",
                             "business_training_link": "unrelated"}, "03"),
    ]
    links = link_businesses(_dataset(tmp_path, people)).set_index("pid")
    assert set(links.index) == {"P1", "P2", "P4", "P5"}  # P3 runs no business
    p1, p2, p4, p5 = (links.loc[p] for p in ("P1", "P2", "P4", "P5"))
    assert p1.in_line_by_map == 1 and p1.matched_trainings == "T-KOPI" and p1.related_training == "T-KOPI"
    assert p1.agreement == "both related" and p1.own_related == 1
    assert p2.in_line_by_map == 1 and p2.related_training == "T-JAHIT" and p2.agreement == "map only"
    assert p2.related_similarity > 0
    assert pd.isna(p4.in_line_by_map) and p4.trainings == "" and p4.related_training == ""
    assert p4.agreement == "unknown"
    assert p5.in_line_by_map == 1 and p5.agreement == "map only"


def test_most_related_training_picks_by_text_among_the_persons_own_trainings():
    out = most_related_training(["kopi susu gula aren", "kopi susu gula aren", ""],
                                [["T-JAHIT", "T-KOPI"], ["T-JAHIT", "T-EXCEL"], ["T-KOPI"]], CATALOGUE)
    assert out.related_training.tolist()[0] == "T-KOPI"
    assert out.related_training.tolist()[1] in ("T-JAHIT", "T-EXCEL")  # never a training they did not take
    assert out.related_training.tolist()[2] == "" and pd.isna(out.related_similarity[2])


def test_sector_map_is_documented_and_valid():
    table = load_sector_map()
    assert (table.rationale.str.len() > 10).all()
    categories = set(pd.read_csv("seeds/training_categories.csv").code)
    assert set(table.category) <= categories
    divisions = training_divisions(pd.read_csv("seeds/trainings.csv", dtype=str))
    assert divisions["TRN-074"] >= {"56", "10"}  # barista
    assert "45" in divisions["TRN-094"]  # motorcycle service


def test_a_broken_sector_map_is_refused(tmp_path):
    path = tmp_path / "map.csv"
    path.write_text("category,training_code,divisions,rationale\nit,,6 2,typo\n", encoding="utf-8")
    with pytest.raises(SeedDataError, match="line 2"):
        load_sector_map(path)

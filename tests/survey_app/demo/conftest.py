"""A tiny seeds directory so demo tests do not depend on the shipped catalogue."""
from __future__ import annotations

import pytest

from survey_app.demo.roster_data import load_reference


@pytest.fixture
def seeds_dir(tmp_path):
    """Seeds with a 3:1 category popularity and a 3:1 population split over two provinces."""
    path = tmp_path / "seeds"
    path.mkdir()
    (path / "trainings.csv").write_text(
        "code,title,provider,category,description\n"
        "S1,Jualan Online,Kelas A,sales,\n"
        "S2,Pemasaran WhatsApp,Kelas A,sales,\n"
        "S3,Excel,Kelas B,office,\"Rumus, tabel\"\n"
        "S4,Surat Menyurat,Kelas B,office,\n", encoding="utf-8")
    (path / "training_categories.csv").write_text(
        "code,label_id,label_en,popularity\nsales,Penjualan,Sales,0.75\noffice,Perkantoran,Office,0.25\n",
        encoding="utf-8")
    (path / "provinces.csv").write_text(
        "code,name,population_weight\n32,Jawa Barat,0.75\n51,Bali,0.25\n", encoding="utf-8")
    return path


@pytest.fixture
def reference(seeds_dir):
    return load_reference(seeds_dir)

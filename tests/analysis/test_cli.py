"""The CLI parses arguments, calls the API, and fails with clear messages."""
import json

import pandas as pd
import pytest

from analysis import cli
from analysis.sectors import default as default_module
from analysis.sectors.storage import load_model


@pytest.fixture
def answers_csv(tmp_path):
    path = tmp_path / "answers.csv"
    pd.DataFrame({
        "respondent": ["r1", "r2", "r3", "r4"],
        "usaha": ["warung kopi dpn rumah", "ternak lele", "", "=HYPERLINK(\"http://x\")"],
        "kode": ["56303", "03221", "", "47112"],
    }).to_csv(path, index=False)
    return path


def test_classify_writes_input_columns_plus_codes(default_model, answers_csv, tmp_path, capsys):
    out = tmp_path / "coded.csv"
    code = cli.main(["classify", "--input", str(answers_csv), "--text-column", "usaha", "--output", str(out)])
    assert code == 0
    coded = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert list(coded.columns) == ["respondent", "usaha", "kode", "section", "division", "kbli5",
                                   "confidence", "needs_review"]
    assert coded.loc[0, ["section", "division"]].tolist() == ["I", "56"]
    assert coded.loc[2, "needs_review"] == "True"
    assert "coded 4 rows" in capsys.readouterr().out


def test_classify_output_neutralises_spreadsheet_formulas(default_model, answers_csv, tmp_path):
    out = tmp_path / "coded.csv"
    cli.main(["classify", "--input", str(answers_csv), "--text-column", "usaha", "--output", str(out)])
    coded = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert coded.loc[3, "usaha"].startswith("'=")


def test_python_dash_m_classify_runs_end_to_end(run_cli, answers_csv, tmp_path):
    out = tmp_path / "coded.csv"
    result = run_cli("classify", "--input", str(answers_csv), "--text-column", "usaha", "--output", str(out))
    assert result.returncode == 0, result.stderr
    assert len(pd.read_csv(out)) == 4


def test_missing_column_gives_clear_error_without_traceback(run_cli, answers_csv, tmp_path):
    result = run_cli("classify", "--input", str(answers_csv), "--text-column", "nope",
                     "--output", str(tmp_path / "o.csv"))
    assert result.returncode != 0
    assert "no column 'nope'" in result.stderr and "respondent, usaha, kode" in result.stderr
    assert "Traceback" not in result.stderr


def test_latin1_file_gives_clear_error_without_traceback(run_cli, tmp_path):
    path = tmp_path / "latin1.csv"
    path.write_bytes("usaha\ncaf\xe9 kecil\n".encode("latin-1"))
    result = run_cli("classify", "--input", str(path), "--text-column", "usaha", "--output", str(tmp_path / "o.csv"))
    assert result.returncode != 0
    assert "not valid utf-8" in result.stderr and "--encoding" in result.stderr
    assert "Traceback" not in result.stderr


def test_latin1_file_is_read_when_its_encoding_is_given(default_model, tmp_path):
    path = tmp_path / "latin1.csv"
    path.write_bytes("usaha\ncaf\xe9 kecil\n".encode("latin-1"))
    out = tmp_path / "o.csv"
    assert cli.main(["classify", "--input", str(path), "--text-column", "usaha", "--output", str(out),
                     "--encoding", "latin-1"]) == 0


def test_missing_input_file_is_a_clear_error(capsys, tmp_path):
    code = cli.main(["classify", "--input", str(tmp_path / "none.csv"), "--text-column", "x",
                     "--output", str(tmp_path / "o.csv")])
    assert code == 2
    assert "input file not found" in capsys.readouterr().err


def test_tampered_model_file_is_refused_by_the_cli(run_cli, answers_csv, tmp_path):
    model = tmp_path / "model.npz"
    model.write_bytes(b"PK\x03\x04 tampered")
    result = run_cli("classify", "--input", str(answers_csv), "--text-column", "usaha",
                     "--output", str(tmp_path / "o.csv"), "--model", str(model))
    assert result.returncode != 0
    assert "not a readable Jejak sector model" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("labels", "level", "expected_level"),
    [("kode", None, "division"), ("kode", "section", "section")],
)
def test_evaluate_reports_metrics_at_the_derived_level(default_model, answers_csv, capsys, labels, level,
                                                       expected_level):
    argv = ["evaluate", "--input", str(answers_csv), "--text-column", "usaha", "--label-column", labels, "--json"]
    if level:
        argv += ["--level", level]
    assert cli.main(argv) == 0
    metrics = json.loads(capsys.readouterr().out)
    assert metrics["level"] == expected_level
    assert metrics["n"] == 3 and metrics["skipped_unlabelled"] == 1
    for key in ["accuracy", "macro_f1", "top3_accuracy", "auto_share_at_precision"]:
        assert 0.0 <= metrics[key] <= 1.0


def test_evaluate_accepts_section_letters_and_prints_text(default_model, tmp_path, capsys):
    path = tmp_path / "sections.csv"
    pd.DataFrame({"t": ["laundry kiloan", "bengkel motor"], "s": ["S", "G"]}).to_csv(path, index=False)
    assert cli.main(["evaluate", "--input", str(path), "--text-column", "t", "--label-column", "s"]) == 0
    out = capsys.readouterr().out
    assert "level                   : section" in out and "top-3 accuracy" in out


def test_evaluate_refuses_a_level_finer_than_the_labels(default_model, tmp_path, capsys):
    path = tmp_path / "sections.csv"
    pd.DataFrame({"t": ["laundry"], "s": ["S"]}).to_csv(path, index=False)
    code = cli.main(["evaluate", "--input", str(path), "--text-column", "t", "--label-column", "s",
                     "--level", "division"])
    assert code == 2
    assert "labels are section codes" in capsys.readouterr().err


def test_evaluate_rejects_labels_that_are_not_kbli_codes(default_model, tmp_path, capsys):
    path = tmp_path / "bad.csv"
    pd.DataFrame({"t": ["laundry"], "s": ["laundry"]}).to_csv(path, index=False)
    assert cli.main(["evaluate", "--input", str(path), "--text-column", "t", "--label-column", "s"]) == 2
    assert "KBLI 2020" in capsys.readouterr().err


def test_evaluate_reports_every_metric_per_group_column(default_model, tmp_path, capsys):
    path = tmp_path / "outside.csv"
    pd.DataFrame({
        "t": ["WARUNG KOPI; KOPI; WARUNG", "ternak lele", "jl pls", "laundry kiloan", "bengkel motor"],
        "k": ["56303", "03221", "47411", "96200", "45407"],
        "source": ["bps", "alumni", "sms", "alumni", ""],
    }).to_csv(path, index=False)
    argv = ["evaluate", "--input", str(path), "--text-column", "t", "--label-column", "k",
            "--group-column", "source", "--json"]
    assert cli.main(argv) == 0
    metrics = json.loads(capsys.readouterr().out)
    assert sorted(metrics["by_group"]) == ["(none)", "alumni", "bps", "sms"]
    assert metrics["by_group"]["alumni"]["n"] == 2
    assert set(metrics["by_group"]["bps"]["levels"]) == {"section", "division", "kbli5"}
    assert cli.main(argv[:-1]) == 0
    assert "[alumni    ] n=2" in capsys.readouterr().out


def test_evaluate_without_input_reports_the_held_out_split_per_register(default_model, capsys):
    assert cli.main(["evaluate", "--json"]) == 0
    metrics = json.loads(capsys.readouterr().out)
    assert {"alumni", "enumerator", "sms", "regional", "english", "short", "long"} <= set(metrics["by_group"])
    assert metrics["label_level"] == "kbli5"
    assert sum(group["n"] for group in metrics["by_group"].values()) == metrics["n"]
    assert cli.main(["evaluate", "--original", "--json"]) == 0
    original = json.loads(capsys.readouterr().out)
    assert 0 < original["n"] < metrics["n"]


@pytest.mark.parametrize(("argv", "message"), [
    (["evaluate", "--text-column", "t"], "--text-column needs --input"),
    (["evaluate", "--group-column", "g"], "--group-column needs --input"),
    (["evaluate", "--input", "{path}", "--text-column", "t"], "--label-column must name"),
    (["evaluate", "--input", "{path}", "--text-column", "t", "--label-column", "k", "--original"],
     "cannot be combined with --input"),
    (["evaluate", "--input", "{path}", "--text-column", "t", "--label-column", "k", "--group-column", "nope"],
     "nope"),
])
def test_evaluate_refuses_incomplete_column_choices(default_model, tmp_path, capsys, argv, message):
    path = tmp_path / "coded.csv"
    pd.DataFrame({"t": ["laundry"], "k": ["96200"]}).to_csv(path, index=False)
    assert cli.main([arg.format(path=path) for arg in argv]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and message in err and "Traceback" not in err


@pytest.fixture
def cheap_training(monkeypatch):
    """Make `train` fast: same pipeline, smaller vocabularies and KBLI texts."""
    params = dict(default_module.DEFAULT_PARAMS, description_chars=60, max_word_features=3000,
                  max_char_features=3000, calibration_folds=2)
    monkeypatch.setattr(default_module, "DEFAULT_PARAMS", params)


def test_train_with_extra_examples_writes_a_loadable_model(cheap_training, tmp_path, capsys):
    extra = tmp_path / "extra.csv"
    pd.DataFrame({"text": ["jual pulsa dan token listrik", "bikin kerajinan kulit kerang"],
                  "kbli5": ["47414", "32903"]}).to_csv(extra, index=False)
    out = tmp_path / "retrained.npz"
    assert cli.main(["train", "--extra", str(extra), "--out", str(out)]) == 0
    model = load_model(out)
    assert "47" in model.classes_
    assert "2 extra examples" in capsys.readouterr().out


def test_train_rejects_extra_rows_with_invalid_codes(tmp_path, capsys):
    extra = tmp_path / "extra.csv"
    pd.DataFrame({"text": ["jual pulsa", "x"], "kbli5": ["47414", "4741"]}).to_csv(extra, index=False)
    assert cli.main(["train", "--extra", str(extra), "--out", str(tmp_path / "m.npz")]) == 2
    assert "line(s) 3" in capsys.readouterr().err


def test_subcommands_come_from_a_table_others_can_extend(monkeypatch, capsys):
    def add_arguments(parser):
        parser.add_argument("--name", default="world")

    def run(args):
        print(f"report for {args.name}")
        return 0

    monkeypatch.setitem(cli.SUBCOMMANDS, "report", (add_arguments, run, "a report"))
    assert cli.main(["report", "--name", "jejak"]) == 0
    assert "report for jejak" in capsys.readouterr().out


def test_help_lists_the_subcommands(run_cli):
    result = run_cli("--help")
    assert result.returncode == 0
    for name in ["classify", "evaluate", "train"]:
        assert name in result.stdout


def test_console_script_entry_point_is_main():
    from analysis.__main__ import main

    assert main is cli.main

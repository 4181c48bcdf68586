"""Command-line interface: ``python -m analysis`` / ``jejak-analysis``.

Each subcommand is a pair in :data:`SUBCOMMANDS`: a function that adds its
arguments to an ``argparse`` sub-parser, and a function that runs it and
returns an exit code.  Adding a subcommand (e.g. ``report``) means adding
one entry; the parser is built from the table.  Runners only parse and
call the public API.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from .errors import InputDataError, SectorError

if TYPE_CHECKING:
    from .sectors.model import SectorClassifier

OUTPUT_COLUMNS = ["section", "division", "kbli5", "confidence", "needs_review"]
MODEL_KEY_ENV = "JEJAK_MODEL_KEY"


def model_key() -> str | None:
    """The model signing key from ``$JEJAK_MODEL_KEY`` (None when unset or empty)."""
    return os.environ.get(MODEL_KEY_ENV) or None


# ---------------------------------------------------------------- classify --
def _classify_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--input", required=True, metavar="FILE.csv", help="UTF-8 CSV with the answers")
    parser.add_argument("--text-column", required=True, metavar="COL", help="column holding the descriptions")
    parser.add_argument("--output", required=True, metavar="OUT.csv", help="where to write the coded table")
    parser.add_argument("--model", metavar="PATH", help="model file from `train` (default: cached default model)")
    parser.add_argument("--threshold", type=float, metavar="P",
                        help="review threshold on confidence (default: the model's, set for 95%% precision)")
    parser.add_argument("--encoding", default="utf-8", help="input encoding (default utf-8)")


def run_classify(args: argparse.Namespace) -> int:
    """Write the input columns plus section, division, kbli5, confidence, needs_review."""
    from .io import read_table, write_table
    from .sectors.classify import classify_texts

    table = read_table(args.input, required=[args.text_column], encoding=args.encoding)
    clash = [c for c in OUTPUT_COLUMNS if c in table.columns]
    if clash:
        raise InputDataError(f"{args.input} already has column(s) {', '.join(clash)}; rename them first")
    model = _model(args.model)
    coded = classify_texts(table[args.text_column], model=model, threshold=args.threshold)
    for column in OUTPUT_COLUMNS:
        table[column] = coded[column].to_numpy()
    write_table(table, args.output)
    review = int(coded["needs_review"].sum())
    print(f"coded {len(table)} rows -> {args.output} ({review} need review)")
    return 0


# ---------------------------------------------------------------- evaluate --
def _evaluate_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--input", metavar="FILE.csv",
                        help="UTF-8 CSV with coded answers (default: the labelled set's held-out split, "
                             "per writing register)")
    parser.add_argument("--text-column", metavar="COL", help="column holding the descriptions (with --input)")
    parser.add_argument("--label-column", metavar="COL",
                        help="true codes: 5-digit KBLI, 2-digit divisions or section letters (with --input)")
    parser.add_argument("--group-column", metavar="COL",
                        help="also report every metric per value of this column (e.g. a register or source)")
    parser.add_argument("--original", action="store_true",
                        help="without --input: only the original 496 held-out answers (docs/SECTORS.md)")
    parser.add_argument("--level", choices=["section", "division"],
                        help="level to score (default: section for section labels, else division)")
    parser.add_argument("--json", action="store_true", help="print metrics as JSON")
    parser.add_argument("--model", metavar="PATH", help="model file (default: cached default model)")
    parser.add_argument("--encoding", default="utf-8", help="input encoding (default utf-8)")


def run_evaluate(args: argparse.Namespace) -> int:
    """Print accuracy, macro-F1, top-1/top-3 per level and the auto-coded share and precision.

    Without ``--input``: the labelled set's held-out split, per writing register.
    """
    from .io import read_table
    from .sectors.evaluate import evaluate_model, format_metrics, held_out_report

    if args.input is None:
        given = [name for name in ("text_column", "label_column", "group_column") if getattr(args, name)]
        if given:
            raise InputDataError(f"--{given[0].replace('_', '-')} needs --input (the file it names a column of)")
        metrics = held_out_report(_model(args.model), level=args.level, original=args.original)
        skipped = 0
    else:
        if args.original:
            raise InputDataError("--original selects part of the built-in held-out split; it cannot be "
                                 "combined with --input")
        missing = [f"--{name.replace('_', '-')}" for name in ("text_column", "label_column")
                   if not getattr(args, name)]
        if missing:
            raise InputDataError(f"with --input, {' and '.join(missing)} must name the column(s) to use")
        columns = [args.text_column, args.label_column] + ([args.group_column] if args.group_column else [])
        table = read_table(args.input, required=columns, encoding=args.encoding)
        coded = table.loc[table[args.label_column].str.strip() != ""]
        skipped = len(table) - len(coded)
        groups = coded[args.group_column].str.strip().replace("", "(none)") if args.group_column else None
        metrics = evaluate_model(coded[args.text_column], coded[args.label_column],
                                 model=_model(args.model), level=args.level, groups=groups)
    metrics["skipped_unlabelled"] = skipped
    if args.json:
        print(json.dumps(metrics, indent=2, sort_keys=True, default=str))
    else:
        print(format_metrics(metrics))
        if skipped:
            print(f"skipped {skipped} rows without a label")
    return 0


# ------------------------------------------------------------------- train --
def _train_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--extra", metavar="CODED.csv",
                        help="extra coded examples: UTF-8 CSV with columns text,kbli5 (5-digit KBLI 2020 codes)")
    parser.add_argument("--out", required=True, metavar="MODEL", help="model file to write (.npz)")
    parser.add_argument("--encoding", default="utf-8", help="encoding of --extra (default utf-8)")


def run_train(args: argparse.Namespace) -> int:
    """Retrain the default model on seeds (train split) plus extra coded examples."""
    from .sectors.default import read_coded_examples, train_default_model
    from .sectors.storage import save_model

    extra = read_coded_examples(args.extra, encoding=args.encoding) if args.extra else None
    started = time.perf_counter()
    model = train_default_model(extra=extra)
    elapsed = time.perf_counter() - started
    key = model_key()
    save_model(model, args.out, metadata={"extra_examples": 0 if extra is None else len(extra)}, key=key)
    signed = f"signed with {MODEL_KEY_ENV}" if key else f"NOT signed (set {MODEL_KEY_ENV} to sign it for the app)"
    print(f"trained in {elapsed:.1f}s on seeds + {0 if extra is None else len(extra)} extra examples; "
          f"review threshold {model.review_threshold_:.3f}; wrote {args.out}, {signed}")
    return 0


# -------------------------------------------------------------------- sign --
def _sign_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--model", required=True, metavar="MODEL", help="model file to sign (.npz)")
    parser.add_argument("--out", metavar="OUT", help="signed copy to write (default: sign in place)")


def run_sign(args: argparse.Namespace) -> int:
    """Sign a model file with $JEJAK_MODEL_KEY so the app accepts it (check its origin first)."""
    from .sectors.storage import key_fingerprint, sign_model

    key = model_key()
    if key is None:
        raise InputDataError(f"set {MODEL_KEY_ENV} to the key the app is configured with")
    out = sign_model(args.model, key, args.out)
    print(f"signed {out} with key {key_fingerprint(key)}")
    return 0


# ------------------------------------------------------------------ report --
def _report_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("dataset", metavar="DIR", help="research dataset directory (flask export dataset)")
    parser.add_argument("--out", required=True, metavar="OUT", help="directory for report.html and tables/*.csv")
    parser.add_argument("--lang", choices=["id", "en"], default="id", help="language of the report (default id)")


def run_report(args: argparse.Namespace) -> int:
    """Build the weighted research report of a dataset export."""
    from .report import build_report

    report = build_report(args.dataset, args.out, lang=args.lang)
    print(f"wrote {report.html} and {len(report.tables)} tables in {report.seconds:.1f}s")
    for note in report.notes:
        print(f"note: {note}")
    return 0


def _model(path: str | None) -> SectorClassifier:
    if path is None:
        from .sectors.default import load_default_model

        return load_default_model(key=model_key())
    from .sectors.storage import load_model

    # With a key configured only signed files are used, as in the app.
    return load_model(path, key=model_key())


Subcommand = tuple[Callable[[argparse.ArgumentParser], None], Callable[[argparse.Namespace], int], str]

SUBCOMMANDS: dict[str, Subcommand] = {
    "classify": (_classify_arguments, run_classify, "code descriptions in a CSV file into KBLI 2020"),
    "evaluate": (_evaluate_arguments, run_evaluate, "score the classifier against coded descriptions"),
    "train": (_train_arguments, run_train, "retrain the model with extra coded examples"),
    "sign": (_sign_arguments, run_sign, "sign a model file with $JEJAK_MODEL_KEY for the app"),
    "report": (_report_arguments, run_report, "build the weighted research report of a dataset export"),
}
"""Subcommand name -> (add arguments, run, help).  Others may register more."""


def build_parser() -> argparse.ArgumentParser:
    """The argument parser, one sub-parser per entry of :data:`SUBCOMMANDS`."""
    parser = argparse.ArgumentParser(prog="jejak-analysis", description="Jejak survey analysis tools.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, (add_arguments, runner, help_text) in SUBCOMMANDS.items():
        command = sub.add_parser(name, help=help_text, description=help_text)
        add_arguments(command)
        command.set_defaults(run=runner)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the exit code (errors are reported without traceback)."""
    args = build_parser().parse_args(argv)
    try:
        code: int = args.run(args)
        return code
    except SectorError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # Output piped into e.g. `head` that stopped reading: not an error worth a traceback.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1

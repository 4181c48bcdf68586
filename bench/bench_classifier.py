"""Benchmark of the sector classifier: prediction throughput and training time.

Run from the repository root::

    python bench/bench_classifier.py [--n 40000] [--repeat 3] [--skip-training]

Throughput is reported in descriptions per second in one process, together
with baselines measured in the same run on the same texts, because absolute
numbers depend on the machine and on whatever else is running on it:

* ``lowercase``: a trivial ``str.lower`` pass (the cheapest possible loop);
* ``tfidf``: the model's own fitted word + char ``TfidfVectorizer.transform``
  on already-normalised texts (scikit-learn's cost for the same features,
  which the featurizer computes itself, per distinct word).

The texts are the labelled seed descriptions cycled to ``--n`` rows.  The
featurizer counts n-grams once per distinct *word* of a call, and vowel
restoration keeps a per-word cache across calls, so each timed run starts
with that cache empty; a second variant appends a different made-up word to
every text (``novel_words``), so every answer has a word seen nowhere else,
as names and typos do in real survey data.  It also makes every answer
distinct: the coding table (``classify_texts``) codes each distinct answer
once per call, so on the cycled texts (each seed description about 13 times
in 40,000) it measures the repeats, and ``classify_texts_novel_words`` is its
figure for answers that are all different.  Training time is measured by
fitting the default model from seeds in this process (the model cache is not
used).
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import statistics
import string
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from joblib.externals.loky import get_reusable_executor  # noqa: E402

from analysis.sectors.classify import classify_texts  # noqa: E402
from analysis.sectors.default import load_default_model, train_default_model  # noqa: E402
from analysis.sectors.labelled import load_labelled  # noqa: E402
from analysis.sectors.normalize import normalize_texts  # noqa: E402


def _cpu_seconds_with_children() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _rate(function, n_items: int, repeat: int, before=lambda: None) -> tuple[float, float]:
    """Best-of-``repeat`` items per second, by wall clock and by process CPU time.

    The CPU-time rate is what the code achieves when it has a core to
    itself; on a shared machine the wall-clock rate also counts the time
    other processes held the CPU.  Both are reported.
    """
    wall, cpu = [], []
    for _ in range(repeat):
        before()
        started, cpu_started = time.perf_counter(), time.process_time()
        function()
        wall.append(time.perf_counter() - started)
        cpu.append(time.process_time() - cpu_started)
    return n_items / min(wall), n_items / min(cpu)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=40_000, help="descriptions per timed run")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--skip-training", action="store_true", help="do not time training from seeds")
    args = parser.parse_args(argv)

    base = load_labelled()["text"].tolist()
    texts = (base * (args.n // len(base) + 1))[: args.n]
    results: dict[str, object] = {"machine": platform.machine(), "cpus": os.cpu_count(),
                                  "python": platform.python_version(), "n_texts": len(texts),
                                  "load_average_before": os.getloadavg()[0]}

    if not args.skip_training:
        cpu_before = _cpu_seconds_with_children()
        started = time.perf_counter()
        trained = train_default_model()
        results["train_seconds_wall_n_jobs_2"] = round(time.perf_counter() - started, 1)
        # Stop the reusable worker processes so their CPU time is accounted to us:
        # CPU-seconds do not depend on what else runs on the machine, wall time does.
        get_reusable_executor().shutdown(wait=True)
        results["train_cpu_seconds_all_processes"] = round(_cpu_seconds_with_children() - cpu_before, 1)
        results["train_examples"] = int(len(trained.oof_confidence_))
        results["load_average_after_training"] = os.getloadavg()[0]
    model = load_default_model()
    normalized = normalize_texts(texts)
    featurizer = model.featurizer_
    rng = random.Random(0)
    novel = [f"{text} {''.join(rng.choices(string.ascii_lowercase, k=7))}" for text in texts]

    def cold():
        model.__dict__.pop("_vowel_restorer", None)  # and with it its per-word cache

    rates = {
        "lowercase": _rate(lambda: [t.lower() for t in texts], len(texts), args.repeat),
        "tfidf": _rate(lambda: (featurizer.word_vectorizer_.transform(normalized),
                                featurizer.char_vectorizer_.transform(normalized)), len(texts), args.repeat),
        "normalize": _rate(lambda: normalize_texts(texts), len(texts), args.repeat),
        "predict": _rate(lambda: model.predict(texts), len(texts), args.repeat, cold),
        "classify_texts": _rate(lambda: classify_texts(texts, model=model), len(texts), args.repeat, cold),
        "classify_texts_novel_words": _rate(lambda: classify_texts(novel, model=model), len(texts),
                                            args.repeat, cold),
    }
    results["per_second_wall"] = {name: round(rate[0]) for name, rate in rates.items()}
    results["per_second_cpu"] = {name: round(rate[1]) for name, rate in rates.items()}
    wall = {name: rate[0] for name, rate in rates.items()}
    results["ratios_wall"] = {
        "predict_vs_tfidf": round(wall["predict"] / wall["tfidf"], 3),
        "classify_repeats_vs_tfidf": round(wall["classify_texts"] / wall["tfidf"], 3),
        "classify_novel_words_vs_tfidf": round(wall["classify_texts_novel_words"] / wall["tfidf"], 3),
        "predict_vs_lowercase": round(wall["predict"] / wall["lowercase"], 4),
    }
    results["load_average_after"] = os.getloadavg()[0]
    results["model_features"] = int(model.coef_.shape[1])
    results["median_text_chars"] = statistics.median(len(t) for t in texts)
    results["distinct_texts"] = {"cycled": len(set(texts)), "novel_words": len(set(novel))}
    print(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())

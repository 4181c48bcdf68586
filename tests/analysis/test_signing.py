"""Signed model files (issue 10 finding 6): checksums catch accidents, signatures catch edits."""
import hashlib
import json
import warnings

import numpy as np
import pytest

from analysis.errors import ModelFileError
from analysis.sectors import default as default_module
from analysis.sectors.default import default_model_path, load_default_model
from analysis.sectors.storage import _digest, is_signed, load_model, save_model, sign_model

KEY = "a-model-signing-key-for-tests"
SAMPLE = ["warung kopi", "ternak lele", "servis hp"]


@pytest.fixture(scope="module")
def files(default_model, tmp_path_factory):
    folder = tmp_path_factory.mktemp("signed")
    return {"signed": save_model(default_model, folder / "signed.npz", key=KEY),
            "unsigned": save_model(default_model, folder / "unsigned.npz")}


def _everything_is_a01(src, dst):
    """The attack of the finding: every class scores the same except A/01, digests recomputed."""
    with np.load(src, allow_pickle=False) as npz:
        arrays = {name: npz[name] for name in npz.files}
    manifest = json.loads(arrays["manifest"].tobytes())
    coef = np.zeros_like(arrays["coef"])
    intercept = np.full_like(arrays["intercept"], -50.0)
    intercept[list(arrays["classes"]).index("01")] = 50.0
    arrays.update(coef=coef, intercept=intercept)
    changed = ["coef", "intercept"]
    if "section_coef" in arrays:  # the section model decides first: make it say A as well
        section_intercept = np.full_like(arrays["section_intercept"], -50.0)
        section_intercept[list(arrays["section_classes"]).index("A")] = 50.0
        arrays.update(section_coef=np.zeros_like(arrays["section_coef"]), section_intercept=section_intercept)
        changed += ["section_coef", "section_intercept"]
    for name in changed:
        manifest["arrays"][name] = _digest(arrays[name])
    raw = json.dumps(manifest, sort_keys=True).encode()
    arrays["manifest"] = np.frombuffer(raw, dtype=np.uint8)
    arrays["manifest_sha256"] = np.frombuffer(hashlib.sha256(raw).hexdigest().encode(), dtype=np.uint8)
    np.savez(dst, **arrays)
    return dst


def test_a_signed_file_loads_with_its_key(files, default_model):
    assert is_signed(files["signed"]) and not is_signed(files["unsigned"])
    model = load_model(files["signed"], key=KEY)
    np.testing.assert_array_equal(model.predict_proba(SAMPLE), default_model.predict_proba(SAMPLE))


def test_an_unsigned_file_is_refused_when_a_key_is_required(files):
    with pytest.raises(ModelFileError, match="is not signed"):
        load_model(files["unsigned"], key=KEY)


def test_a_file_signed_with_another_key_is_refused(files):
    with pytest.raises(ModelFileError, match="signature does not match"):
        load_model(files["signed"], key="some-other-key-of-enough-length")


def test_a_tampered_file_with_recomputed_checksums_is_refused_by_the_signature(files, tmp_path):
    tampered = _everything_is_a01(files["signed"], tmp_path / "tampered.npz")
    # Checksums alone cannot tell: this is what the finding showed.
    fooled = load_model(tampered)
    assert set(fooled.predict(SAMPLE)) == {"01"}
    with pytest.raises(ModelFileError, match="signature does not match"):
        load_model(tampered, key=KEY)


def test_short_keys_are_refused(files):
    with pytest.raises(ModelFileError, match="at least 16 bytes"):
        load_model(files["signed"], key="short")


def test_sign_model_signs_an_unsigned_file(files, tmp_path):
    out = sign_model(files["unsigned"], KEY, tmp_path / "now-signed.npz")
    load_model(out, key=KEY)


def test_cli_sign_and_classify_with_the_key(run_cli, files, tmp_path, monkeypatch):
    monkeypatch.setenv("JEJAK_MODEL_KEY", KEY)
    answers = tmp_path / "a.csv"
    answers.write_text("usaha\nwarung kopi\n", encoding="utf-8")
    refused = run_cli("classify", "--input", str(answers), "--text-column", "usaha", "--output",
                      str(tmp_path / "o.csv"), "--model", str(files["unsigned"]))
    assert refused.returncode == 2 and "is not signed" in refused.stderr and "Traceback" not in refused.stderr
    signed = run_cli("sign", "--model", str(files["unsigned"]), "--out", str(tmp_path / "s.npz"))
    assert signed.returncode == 0, signed.stderr
    ok = run_cli("classify", "--input", str(answers), "--text-column", "usaha", "--output",
                 str(tmp_path / "o.csv"), "--model", str(tmp_path / "s.npz"))
    assert ok.returncode == 0, ok.stderr


def test_cli_sign_without_a_key_says_what_to_set(run_cli, files, monkeypatch):
    monkeypatch.delenv("JEJAK_MODEL_KEY", raising=False)
    result = run_cli("sign", "--model", str(files["unsigned"]))
    assert result.returncode == 2 and "JEJAK_MODEL_KEY" in result.stderr


def test_default_cache_that_fails_the_key_is_retrained_and_signed(default_model, tmp_path, fresh_memo,
                                                                   monkeypatch):
    monkeypatch.setenv("JEJAK_MODEL_CACHE", str(tmp_path))
    path = default_model_path()
    _everything_is_a01(save_model(default_model, tmp_path / "plain.npz"), path)  # tampered, unsigned
    monkeypatch.setattr(default_module, "train_default_model", lambda **_: default_model)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model = load_default_model(key=KEY)
    assert model is default_model
    assert any("is not signed" in str(w.message) for w in caught)
    load_model(path, key=KEY)  # the replacement is signed


def test_default_cache_of_another_key_version_is_not_used(default_model, tmp_path, fresh_memo, monkeypatch):
    monkeypatch.setenv("JEJAK_MODEL_CACHE", str(tmp_path))
    save_model(default_model, default_model_path(), metadata={"cache_key": "stale"}, key=KEY)
    monkeypatch.setattr(default_module, "train_default_model", lambda **_: default_model)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        load_default_model(key=KEY)
    assert any("another cache key" in str(w.message) for w in caught)

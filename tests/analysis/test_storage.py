"""Model files are pickle-free, verified on load, and refused when altered."""
import hashlib
import io
import json
import pickle
import warnings
import zipfile

import numpy as np
import pytest

from analysis.errors import ModelFileError
from analysis.sectors import default as default_module
from analysis.sectors.default import default_model_path, load_default_model
from analysis.sectors.storage import load_model, read_manifest, save_model

SAMPLE = ["warung kopi", "ternak lele", "servis hp", "jual baju online", "desain grafis", ""]


@pytest.fixture(scope="module")
def saved_model(default_model, tmp_path_factory):
    return save_model(default_model, tmp_path_factory.mktemp("models") / "model.npz")


def _rewrite(src, dst, change_arrays=None, change_manifest=None, fix_manifest_digest=False):
    """Copy a model file, altering arrays and/or the manifest."""
    with np.load(src, allow_pickle=False) as npz:
        arrays = {name: npz[name] for name in npz.files}
    if change_arrays:
        change_arrays(arrays)
    if change_manifest:
        manifest = json.loads(arrays["manifest"].tobytes())
        change_manifest(manifest)
        raw = json.dumps(manifest, sort_keys=True).encode()
        arrays["manifest"] = np.frombuffer(raw, dtype=np.uint8)
        if fix_manifest_digest:
            arrays["manifest_sha256"] = np.frombuffer(hashlib.sha256(raw).hexdigest().encode(), dtype=np.uint8)
    np.savez(dst, **arrays)
    return dst


def test_saved_model_predicts_exactly_like_the_original(default_model, saved_model):
    loaded = load_model(saved_model)
    np.testing.assert_array_equal(loaded.predict_proba(SAMPLE), default_model.predict_proba(SAMPLE))
    np.testing.assert_array_equal(loaded.suggest_kbli5(SAMPLE), default_model.suggest_kbli5(SAMPLE))
    assert loaded.review_threshold_ == default_model.review_threshold_
    np.testing.assert_array_equal(loaded.predict_section_proba(SAMPLE)[0],
                                  default_model.predict_section_proba(SAMPLE)[0])


def test_model_file_contains_no_pickled_objects(saved_model):
    with zipfile.ZipFile(saved_model) as archive:
        for name in archive.namelist():
            header = archive.read(name)[:128]
            assert b"'descr': '|O'" not in header, name


def test_manifest_records_library_versions(saved_model):
    manifest = read_manifest(saved_model)
    assert set(manifest["versions"]) >= {"numpy", "scikit-learn", "scipy", "python"}


def test_tampered_array_is_refused(saved_model, tmp_path):
    def bump(arrays):
        arrays["coef"] = arrays["coef"].copy()
        arrays["coef"][0, 0] += 1.0

    bad = _rewrite(saved_model, tmp_path / "bad.npz", change_arrays=bump)
    with pytest.raises(ModelFileError, match="checksum"):
        load_model(bad)


def test_edited_manifest_is_refused(saved_model, tmp_path):
    bad = _rewrite(saved_model, tmp_path / "bad.npz",
                   change_manifest=lambda m: m["scalars"].update(review_threshold=0.0))
    with pytest.raises(ModelFileError, match="modified"):
        load_model(bad)


def test_model_from_another_scikit_learn_version_is_refused(saved_model, tmp_path):
    old = _rewrite(saved_model, tmp_path / "old.npz", fix_manifest_digest=True,
                   change_manifest=lambda m: m["versions"].update({"scikit-learn": "1.3.2"}))
    with pytest.raises(ModelFileError, match="scikit-learn 1.3.2"):
        load_model(old)


def test_model_in_another_format_version_is_refused(saved_model, tmp_path):
    other = _rewrite(saved_model, tmp_path / "v9.npz", fix_manifest_digest=True,
                     change_manifest=lambda m: m.update(format_version=9))
    with pytest.raises(ModelFileError, match="format 9"):
        load_model(other)


class _Exploit:
    def __reduce__(self):
        import pathlib
        return (pathlib.Path.touch, (pathlib.Path(_Exploit.marker),))


def test_pickle_file_is_refused_without_being_unpickled(tmp_path):
    _Exploit.marker = str(tmp_path / "pwned")
    evil = tmp_path / "evil.npz"
    evil.write_bytes(pickle.dumps(_Exploit()))
    with pytest.raises(ModelFileError, match="not a readable Jejak sector model"):
        load_model(evil)
    assert not (tmp_path / "pwned").exists()


def test_pickled_array_inside_npz_is_refused_without_being_unpickled(saved_model, tmp_path):
    _Exploit.marker = str(tmp_path / "pwned")
    buffer = io.BytesIO()
    np.save(buffer, np.array([_Exploit()], dtype=object), allow_pickle=True)
    evil = tmp_path / "evil.npz"
    with zipfile.ZipFile(saved_model) as src, zipfile.ZipFile(evil, "w") as dst:
        for name in src.namelist():
            dst.writestr(name, src.read(name))
        dst.writestr("extra.npy", buffer.getvalue())
    with pytest.raises(ModelFileError):
        load_model(evil)
    assert not (tmp_path / "pwned").exists()


@pytest.mark.parametrize("content", [b"", b"not a model", b"PK\x03\x04garbage"], ids=["empty", "text", "broken-zip"])
def test_garbage_files_are_refused(tmp_path, content):
    path = tmp_path / "model.npz"
    path.write_bytes(content)
    with pytest.raises(ModelFileError):
        load_model(path)


def test_truncated_model_file_is_refused(saved_model, tmp_path):
    data = saved_model.read_bytes()
    cut = tmp_path / "cut.npz"
    cut.write_bytes(data[: len(data) // 2])
    with pytest.raises(ModelFileError):
        load_model(cut)


def test_missing_model_file_is_refused(tmp_path):
    with pytest.raises(ModelFileError, match="not found"):
        load_model(tmp_path / "nope.npz")


def test_default_model_is_loaded_from_cache_not_retrained(default_model, model_cache_dir, fresh_memo, monkeypatch):
    assert default_model_path().parent == model_cache_dir
    assert default_model_path().is_file()
    monkeypatch.setattr(default_module, "train_default_model", lambda **_: pytest.fail("retrained"))
    cached = load_default_model()
    np.testing.assert_array_equal(cached.predict_proba(SAMPLE), default_model.predict_proba(SAMPLE))


def test_unusable_cache_file_is_replaced_with_a_warning(default_model, tmp_path, fresh_memo, monkeypatch):
    monkeypatch.setenv("JEJAK_MODEL_CACHE", str(tmp_path))
    default_model_path().write_bytes(b"corrupt")
    monkeypatch.setattr(default_module, "train_default_model", lambda **_: default_model)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model = load_default_model()
    assert model is default_model
    assert any("unusable cached model" in str(w.message) for w in caught)
    load_model(default_model_path())  # the replacement is a valid file


def test_cache_key_changes_when_seed_data_changes(monkeypatch, tmp_path):
    from analysis.sectors.default import default_model_key

    before = default_model_key()
    seeds = tmp_path / "seeds"
    (seeds / "kbli").mkdir(parents=True)
    (seeds / "sectors").mkdir()
    from analysis.resources import kbli_csv_path, labelled_csv_path

    (seeds / "kbli" / "kbli2020.csv").write_bytes(kbli_csv_path().read_bytes())
    (seeds / "sectors" / "labelled_descriptions.csv").write_bytes(labelled_csv_path().read_bytes() + b"\n")
    documents = labelled_csv_path().with_name("kbli5_documents.csv").read_bytes()
    (seeds / "sectors" / "kbli5_documents.csv").write_bytes(documents)
    monkeypatch.setenv("JEJAK_SEEDS_DIR", str(seeds))
    changed_labelled = default_model_key()
    assert changed_labelled != before
    # The 5-digit documents (kbli5d helper) are part of the key too.
    (seeds / "sectors" / "kbli5_documents.csv").write_bytes(documents + b"\n")
    assert default_model_key() != changed_labelled

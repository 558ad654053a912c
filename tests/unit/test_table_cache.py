"""The on-disk cache of slow-to-build arrays: read back as built, never stale, never fatal."""

from __future__ import annotations

import numpy as np

from cleaner.features import table_cache


def _build() -> dict[str, np.ndarray]:
    _build.calls += 1
    return {"squares": np.arange(10) ** 2}


_build.calls = 0


def test_built_once_then_read_back(tmp_path, monkeypatch):
    monkeypatch.setenv("CLEANER_CACHE_DIR", str(tmp_path))
    _build.calls = 0
    first = table_cache.cached_arrays("demo", _build, key=("a",))
    second = table_cache.cached_arrays("demo", _build, key=("a",))
    assert _build.calls == 1
    assert np.array_equal(first["squares"], second["squares"])
    assert len(list(tmp_path.glob("demo-*.npz"))) == 1


def test_another_key_builds_afresh_and_replaces_the_old_file(tmp_path, monkeypatch):
    monkeypatch.setenv("CLEANER_CACHE_DIR", str(tmp_path))
    _build.calls = 0
    table_cache.cached_arrays("demo", _build, key=("a",))
    (old,) = tmp_path.glob("demo-*.npz")
    table_cache.cached_arrays("demo", _build, key=("b",))
    assert _build.calls == 2
    (new,) = tmp_path.glob("demo-*.npz")
    assert new != old


def test_a_damaged_or_unwritable_cache_only_costs_the_build(tmp_path, monkeypatch):
    monkeypatch.setenv("CLEANER_CACHE_DIR", str(tmp_path))
    table_cache.cached_arrays("demo", _build, key=("a",))
    for path in tmp_path.glob("demo-*.npz"):
        path.write_bytes(b"not an npz file")
    assert table_cache.cached_arrays("demo", _build, key=("a",))["squares"].tolist() == [
        i * i for i in range(10)
    ]
    blocker = tmp_path / "file"
    blocker.write_text("x")
    monkeypatch.setenv("CLEANER_CACHE_DIR", str(blocker / "below-a-file"))
    assert table_cache.cached_arrays("demo", _build, key=("a",))["squares"][3] == 9


def test_the_cached_character_tables_equal_a_fresh_build(tmp_path, monkeypatch):
    from cleaner.features import tokens

    monkeypatch.setenv("CLEANER_CACHE_DIR", str(tmp_path))
    tokens._char_tables.cache_clear()
    try:
        built = tokens._char_tables()
        tokens._char_tables.cache_clear()
        read_back = tokens._char_tables()
    finally:
        tokens._char_tables.cache_clear()
    assert np.array_equal(built["classes"], tokens._build_class_table())
    assert np.array_equal(read_back["classes"], built["classes"])
    assert np.array_equal(read_back["is_word"], built["is_word"])

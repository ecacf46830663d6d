"""`python -m indicators compute`: after an upgrade of the computing code (or a parameters edit) the figures a version
stored at publish no longer match; the command computes the catalogue and the public table once, so no reader waits."""

from __future__ import annotations

import shutil

from indicators import __main__ as cli
from indicators import api, published


def test_compute_after_an_upgrade_fills_the_cache_readers_use(sample_warehouse, tmp_path, monkeypatch, capsys):
    root = tmp_path / "warehouse"
    shutil.copytree(sample_warehouse, root)
    version = api.current_version(root)
    monkeypatch.setattr(published, "code_hash", lambda: "upgraded-code")  # the stored figures are an older code's
    api.clear_cache()
    assert api.computed_where(version, root) == "computed now"

    assert cli.main(["compute", "--warehouse", str(root)]) == 0
    said = capsys.readouterr().out
    assert f"version {version}:" in said and "public rows" in said and "computed now" in said

    stem = "*-upgraded-code"
    assert list((root / "cache" / version).glob(f"{stem}.parquet"))  # the catalogue
    assert list((root / "cache" / version).glob(f"{stem}.public.parquet"))  # and what public pages read
    api.clear_cache()
    assert api.computed_where(version, root) == "in the cache"
    api.clear_cache()

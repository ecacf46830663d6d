"""Uploaded returns are kept only while their batch needs them, in the folder the deployment configures."""

from __future__ import annotations

import gc
import os
import stat
import time

import pytest

from dashboard import refresh_flow, uploads
from data_pipeline.secrets import DEMO_HASH_KEY
from tests.roles_fixtures import BROKEN_RETURN


@pytest.fixture
def upload_dir(tmp_path, monkeypatch):
    folder = tmp_path / "uploads"
    monkeypatch.setenv(uploads.UPLOAD_DIR_ENV, str(folder))
    return folder


def test_a_batch_lives_in_a_private_folder_under_the_configured_one_and_goes_with_its_batch(upload_dir):
    checked = refresh_flow.check_returns([(BROKEN_RETURN.name, BROKEN_RETURN.read_bytes())], hash_key=DEMO_HASH_KEY)
    [batch] = list(upload_dir.iterdir())
    assert checked.directory == batch and stat.S_IMODE(batch.stat().st_mode) == 0o700
    assert [p.name for p in batch.iterdir()] == [BROKEN_RETURN.name]
    refresh_flow.discard(checked)
    assert list(upload_dir.iterdir()) == []


def test_a_batch_dropped_with_its_session_takes_its_files_along(upload_dir):
    checked = refresh_flow.check_returns([(BROKEN_RETURN.name, BROKEN_RETURN.read_bytes())], hash_key=DEMO_HASH_KEY)
    assert len(list(upload_dir.iterdir())) == 1
    del checked
    gc.collect()
    assert list(upload_dir.iterdir()) == []


def test_only_batch_folders_under_the_upload_root_are_ever_deleted(upload_dir, tmp_path):
    elsewhere = tmp_path / "batch-not-ours"
    elsewhere.mkdir()
    uploads.discard(elsewhere)
    other = uploads.upload_root() / "keep-me"
    other.mkdir()
    uploads.discard(other)
    assert elsewhere.is_dir() and other.is_dir()


def test_leftovers_older_than_a_day_are_swept_and_fresh_ones_kept(upload_dir):
    old, fresh = uploads.new_batch_dir(), uploads.new_batch_dir()
    (old / "MoLSW_MECG_register.xlsx").write_bytes(b"names and phones")
    day_and_a_bit = time.time() - uploads.STALE_AFTER_S - 60
    os.utime(old, (day_and_a_bit, day_and_a_bit))
    assert uploads.sweep_stale() == [old]
    assert not old.exists() and fresh.is_dir()

"""The public cuts (referral funnel, payments by days late, PCI) read only their rows of the public table, and are
the cuts of the whole table."""

from __future__ import annotations

import pandas as pd

from indicators import api, disclosure


def test_each_public_cut_of_its_rows_equals_the_cut_of_the_whole_table(sample_warehouse):
    version = api.current_version(sample_warehouse)
    whole = api.public_table(version, sample_warehouse)
    funnel = api.public_rows(version, (disclosure.FUNNEL, disclosure.FUNNEL_FEEDBACK), sample_warehouse)
    days_late = api.public_rows(version, (disclosure.DAYS_LATE,), sample_warehouse)
    components = api.public_rows(version, [i for _, i in disclosure.PCI_COMPONENTS], sample_warehouse)
    assert 0 < len(funnel) < len(whole) and len(days_late) and len(components)
    pd.testing.assert_frame_equal(disclosure.public_funnel(funnel), disclosure.public_funnel(whole))
    pd.testing.assert_frame_equal(disclosure.public_days_late(days_late), disclosure.public_days_late(whole))
    pci = api.supporting_table(version, "pci", sample_warehouse)
    pd.testing.assert_frame_equal(disclosure.public_pci(pci, components), disclosure.public_pci(pci, whole))


def test_the_rows_keep_the_table_order_and_labels_and_are_a_copy(sample_warehouse):
    version = api.current_version(sample_warehouse)
    whole = api.public_table(version, sample_warehouse)
    wanted = ["PAY_ONTIME", disclosure.FUNNEL, "PAY_ONTIME", "no such indicator"]
    rows = api.public_rows(version, wanted, sample_warehouse)
    pd.testing.assert_frame_equal(rows, whole[whole["indicator_id"].isin(wanted)])
    rows.loc[:, "value"] = -1.0
    assert not (api.public_table(version, sample_warehouse)["value"] == -1.0).any()
    assert api.public_rows(version, ["no such indicator"], sample_warehouse).columns.equals(whole.columns)

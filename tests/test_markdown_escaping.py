"""Issue 16.4: text from a link never becomes Markdown. Each of the seven URL parameters, given a crafted value, is
named in its warning literally — rendered by a Markdown parser it gives no link, no image, no colour."""

from __future__ import annotations

import pytest
from markdown_it import MarkdownIt

from dashboard.text import plain_text
from tests.conftest import run_page

HOSTILE = ["[Sign in again](http://x)", "![x](http://x/t.png)", ":red[Your account is locked]"]
# parameter -> a page that reads it (no page reads `programme` since the payments page shows the programmes side
# by side: the filter module still escapes it, tested with the others in tests/test_pages_*.py when a page uses it)
PARAMETERS = {
    "version": "pages/overview.py",
    "period": "pages/overview.py",
    "province": "pages/overview.py",
    "sex": "pages/overview.py",
    "indicator": "pages/indicator.py",
    "rows": "pages/coordination.py",
}
RENDER = MarkdownIt("commonmark")


def markdown_sources(at) -> list[str]:
    """The Markdown of every element that Streamlit renders as Markdown."""
    return [str(e.value) for e in (*at.warning, *at.markdown, *at.caption, *at.error, *at.info, *at.success)]


def assert_inert(source: str) -> None:
    html = RENDER.render(source)
    assert "<a " not in html and "<img" not in html, (source, html)
    assert ":red[" not in source and "](" not in source.replace("\\](", "")  # Streamlit's colour directive


@pytest.mark.parametrize("value", HOSTILE)
def test_plain_text_shows_the_value_literally(value):
    assert RENDER.render(plain_text(value)) == f"<p>{value}</p>\n"
    assert_inert(plain_text(value))


@pytest.mark.parametrize("parameter", list(PARAMETERS))
@pytest.mark.parametrize("value", HOSTILE)
def test_a_crafted_parameter_is_named_but_inert(dashboard_warehouse, parameter, value):
    at = run_page(PARAMETERS[parameter], {parameter: value})
    assert not at.exception
    warnings = [
        w.value
        for w in at.warning
        if f"is not a valid {parameter}" in w.value
        or (parameter == "version" and "is not a published data version" in w.value)
    ]
    assert len(warnings) == 1, [w.value for w in at.warning]
    assert RENDER.render(warnings[0]).startswith(f"<p><strong>{value}</strong> is not")  # named, literally
    for source in markdown_sources(at):
        assert_inert(source)


def test_an_account_name_is_shown_literally(dashboard_warehouse, tmp_path, monkeypatch):
    from access.accounts import AccountStore
    from tests.roles_fixtures import PASSWORD, run_as

    monkeypatch.setenv("SP_ACCOUNTS_FILE", str(tmp_path / "accounts.json"))
    monkeypatch.setenv("SP_BCRYPT_ROUNDS", "4")
    AccountStore().add("khamla", role="commission", password=PASSWORD, display_name=HOSTILE[0] + " " + HOSTILE[2])
    at = run_as("pages/overview.py", "khamla", role="commission")
    signed_in = [c.value for c in at.sidebar.caption if c.value.startswith("Signed in as")]
    assert len(signed_in) == 1 and RENDER.render(signed_in[0]).startswith(f"<p>Signed in as {HOSTILE[0]} :red[")
    assert_inert(signed_in[0])

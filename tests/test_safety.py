"""The upload page's glue: an uploaded name never chooses a path, and user text shows literally in Markdown."""

from __future__ import annotations

import os
import stat

import pytest
from markdown_it import MarkdownIt

from dashboard.safety import safe_upload_path, save_upload, upload_display_name
from dashboard.text import plain_text


# ------------------------------------------------------------------------------------------------ paths, display


def test_upload_names_never_choose_the_path(tmp_path):
    path = safe_upload_path(tmp_path, "../../etc/passwd.xlsx")
    assert path.parent == tmp_path.resolve()
    assert path.suffix == ".xlsx" and "passwd" not in path.name and ".." not in path.name
    assert len(path.stem) == 32 and not path.exists()
    assert safe_upload_path(tmp_path, "../../etc/passwd.xlsx") != path  # fresh each time
    assert safe_upload_path(tmp_path, "..\\..\\windows\\evil.exe").suffix == ".exe"  # kept, so the gate can name it
    assert safe_upload_path(tmp_path, "evil.x/../y").suffix == ".upload"
    assert safe_upload_path(tmp_path, "/etc/cron.d/job").parent == tmp_path.resolve()


def test_save_upload_writes_privately_inside_the_directory(tmp_path):
    path = save_upload(tmp_path / "uploads", "../../etc/passwd.csv", b"a,b\n1,2\n")
    assert path.parent == (tmp_path / "uploads").resolve() and path.read_bytes() == b"a,b\n1,2\n"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert not (tmp_path / "etc").exists()


def test_display_name_drops_folders_and_control_characters():
    assert upload_display_name("../../etc/passwd.xlsx") == "passwd.xlsx"
    assert upload_display_name("C:\\Users\\ana\\returns Q1.xlsx") == "returns Q1.xlsx"
    assert upload_display_name("a\nb\x1b[31m.csv") == "a b [31m.csv"
    assert upload_display_name("") == "unnamed file"


@pytest.mark.parametrize(
    "hostile",
    [
        "**[click](javascript:alert(1))**",
        "<img src=x onerror=alert(1)>.xlsx",
        "# heading _em_ `code` $x^2$ :red[alert] ![i](http://x/i.png)",
        "returns &amp; <b>bold</b>\n- list item",
    ],
)
def test_plain_text_renders_literally_in_markdown(hostile):
    rendered = MarkdownIt("commonmark").render(plain_text(hostile))
    for tag in ("<a ", "<strong>", "<em>", "<img", "<code>", "<h1>", "<b>", "<li>"):
        assert tag not in rendered
    flat = hostile.replace("\n", " ")
    escaped_html = flat.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    assert rendered == f"<p>{escaped_html}</p>\n"

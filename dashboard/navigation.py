"""The app's navigation: which pages a reader's role may open, the sidebar menu listing them, and the guard that
keeps a page from running outside that navigation.

Streamlit decides once per server process, before any script has run, whether the entry point sits next to a
``pages/`` folder; until a script calls ``st.navigation`` it serves that folder itself (every file, by its file name,
without app.py). Our folder is fixed, so the first session of a fresh server would get that legacy mode. Two public
means close it:

- ``client.showSidebarNavigation = false`` (.streamlit/config.toml) hides the folder's automatic menu; the app
  registers its pages with ``st.navigation(position="hidden")`` and draws its own menu with ``st.page_link``,
  so no one ever sees a page their role does not open.
- ``enter_page()``, the first call of every page, stops a page that was started by the folder mode rather than by
  app.py, calls ``st.navigation`` with the reader's pages (which ends the folder mode for the process, as Streamlit
  documents) and reruns once: app.py then routes the URL, and a restricted page is "not found". A page run as a
  script of its own (``streamlit run pages/refresh.py``, a test) runs on after that rerun and meets its role check.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

import streamlit as st

from dashboard import auth
from dashboard import i18n
from dashboard.i18n import t

APP_FOLDER = Path(__file__).resolve().parent.parent  # where app.py and pages/ are
EVERYONE = (auth.PUBLIC, auth.COMMISSION, auth.SECRETARIAT)


@dataclass(frozen=True)
class PageEntry:
    script: str
    title: str
    icon: str
    url_path: str
    section: str
    roles: tuple[str, ...] = EVERYONE


PAGES = (
    PageEntry("pages/overview.py", "Overview", ":material/dashboard:", "overview", "Monitor"),
    PageEntry("pages/coverage.py", "Coverage", ":material/map:", "coverage", "Monitor"),
    PageEntry("pages/payments.py", "Payment delays", ":material/schedule:", "payments", "Monitor"),
    PageEntry("pages/coordination.py", "Coordination", ":material/handshake:", "coordination", "Monitor"),
    PageEntry("pages/province.py", "Province profile", ":material/location_on:", "province", "Drill down"),
    PageEntry("pages/indicator.py", "Indicator", ":material/monitoring:", "indicator", "Drill down"),
    PageEntry(
        "pages/data_status.py",
        "Data status",
        ":material/database:",
        "data_status",
        "Data",
        (auth.COMMISSION, auth.SECRETARIAT),
    ),
    PageEntry("pages/refresh.py", "Data refresh", ":material/upload_file:", "refresh", "Data", (auth.SECRETARIAT,)),
)

# True while app.py's navigation runs a page in this thread (Streamlit runs a session's script in one thread).
_routing = threading.local()
# What the running page has drawn that later calls need (the privacy sentence's slot); emptied as a page starts.
page_state = threading.local()


def allowed_pages(user: auth.User) -> dict[str, list]:
    """The ``st.Page`` objects ``user`` may open, by menu section, in menu order."""
    sections: dict[str, list] = {}
    for entry in PAGES:
        if auth.allowed(user, entry.roles):
            # Titles and sections in the reader's language: the menu, the browser tab and the page's own name.
            sections.setdefault(t(entry.section), []).append(
                st.Page(APP_FOLDER / entry.script, title=t(entry.title), icon=entry.icon, url_path=entry.url_path)
            )
    return sections


def _home_page(overview) -> "st.Page":
    """The root URL: Streamlit serves its default page at ``/`` only, so a typed or shared ``/overview`` would be
    "not found" if the overview were the default. The default is this hop instead, which opens the overview at its own
    address with the link's parameters (filters, language, version) intact."""

    def home() -> None:
        st.switch_page(overview, query_params=st.query_params.to_dict())

    return st.Page(home, title=t("Overview"), url_path="home", default=True)


def run(user: auth.User) -> None:
    """Register the reader's pages, draw the sidebar menu, and run the page the URL asks for."""
    sections = allowed_pages(user)
    overview = next(p for pages in sections.values() for p in pages if p.url_path == "overview")
    page = st.navigation({"": [_home_page(overview)], **sections}, position="hidden")
    with st.sidebar:
        for section, pages in sections.items():
            st.caption(section)
            for entry in pages:
                st.page_link(entry)
    _routing.active = True
    try:
        page.run()
    finally:
        _routing.active = False


def enter_page() -> None:
    """First call of every page: a page not started by app.py's navigation does not run (see the module's note)."""
    i18n.mark_script_run()
    page_state.slot, page_state.noted, page_state.figures = None, False, None
    if getattr(_routing, "active", False) or st.session_state.get("_sp_left_folder_mode"):
        return  # routed by app.py; or run as its own script, after the one rerun below
    st.session_state["_sp_left_folder_mode"] = True
    # The reader's pages, each under its own URL (none the default, so that /overview resolves too): a page the role
    # may not open is "not found" here, as it would be in app.py. Nothing of this navigation runs: the rerun below
    # goes to app.py, which routes the same page again.
    user = auth.current_user()
    mine = [
        st.Page(APP_FOLDER / e.script, title=t(e.title), url_path=e.url_path)
        for e in PAGES
        if auth.allowed(user, e.roles)
    ]
    st.navigation(
        [st.Page(_routing_to_app, title=t("Loading"), url_path="loading", default=True), *mine], position="hidden"
    )
    st.rerun()


def _routing_to_app() -> None:
    """The bounce's default page: never run (enter_page reruns before any page of that navigation runs)."""

"""The *Download the meeting pack (PDF)* button of the overview and the province profile: builds the pack of the
page's view (version, period, province) in the reader's language and audience, with a progress bar, then offers it
with ``st.download_button``. The PDF is kept in the session for that view only, so a changed filter asks again."""

from __future__ import annotations

import streamlit as st

from dashboard import data, i18n
from dashboard.i18n import t
from dashboard.pack.request import PackRequest

_KEPT = "_sp_meeting_pack"  # session_state: (request, pdf bytes, file name) of the last pack built


def meeting_pack_button(version: str, period: str | None, province: str) -> None:
    request = PackRequest(version, period, province, i18n.language(), data.audience())
    if st.button(
        t("Download the meeting pack (PDF)"),
        icon=":material/picture_as_pdf:",
        help=t(
            "The whole monitor for this view as one A4 document for a meeting: cover, summary, coverage, "
            "payments, coordination, returns and method notes."
        ),
        key="sp_meeting_pack",
    ):
        bar = st.progress(0.0, text=t("Reading the figures…"))
        # Imported on the click: the PDF layout's modules were ~60 ms of a new process's first page (issue 13).
        from dashboard.pack import build

        try:
            pack = build.build(request, progress=lambda fraction, message: bar.progress(fraction, text=message))
        except Exception as error:  # a failed pack must not take the page down with it
            bar.empty()
            st.error(t("The meeting pack could not be built: {error}", error=str(error)))
            return
        bar.empty()
        st.session_state[_KEPT] = (request, pack.pdf, pack.file_name)
    kept = st.session_state.get(_KEPT)
    if kept and kept[0] == request:
        _, pdf, name = kept
        st.download_button(
            t("Save the meeting pack ({file})", file=name),
            pdf,
            file_name=name,
            mime="application/pdf",
            icon=":material/download:",
            key="sp_meeting_pack_save",
            on_click="ignore",
        )

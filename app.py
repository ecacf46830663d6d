"""Lao PDR social protection monitor (NSPS / SDG 1.3): the entry point only routes; pages live in pages/.

Navigation depends on the reader's role (dashboard.navigation): the public sees the monitor and drill-down pages; a
Commission member also the data status; the Technical Secretariat also the data refresh. A page that is not
registered cannot be opened by URL, and each restricted page checks the role again at its top.
"""

import streamlit as st

from dashboard import auth, i18n, navigation, process, uploads
from dashboard.i18n import language_switch, t

process.freeze_startup_objects()  # once per process: what the imports made is no garbage collector's work again
uploads.sweep_on_start()  # returns left by a killed process older than a day
i18n.mark_script_run()  # the reader's language (?lang=, the session) holds in this run

st.set_page_config(layout="wide", page_title=t("Lao PDR social protection monitor"))
language_switch()

user = auth.current_user()
st.sidebar.markdown(t("**NSPS · SDG 1.3 monitor**  \nNational Social Protection Commission, Lao PDR"))
with st.sidebar:
    # Before "Signed in as" is shown: the cookie that carries the session to a reload or a new tab is then stored by
    # the time the reader sees they are signed in (written last, a quick reader could leave before its script ran).
    auth.write_session_cookie()
    if user.signed_in:
        auth.render_sign_out()
    else:
        with st.expander(t("Sign in (Secretariat, Commission)"), icon=":material/login:"):
            auth.render_sign_in_form()
navigation.run(user)

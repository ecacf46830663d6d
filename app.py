"""Lao PDR social protection monitor (NSPS / SDG 1.3): the entry point only routes; pages live in pages/.

Navigation depends on the reader's role (dashboard.auth): the public sees the monitor and drill-down pages; a
Commission member also the data status; the Technical Secretariat also the data refresh. A page that is not
registered cannot be opened by URL, and each restricted page checks the role again at its top.
"""
import streamlit as st

from dashboard import auth
from dashboard.components import leave_legacy_pages_mode

leave_legacy_pages_mode()

st.set_page_config(layout="wide", page_title="Lao PDR social protection monitor")

user = auth.current_user()
PAGES = {
    "Monitor": [
        st.Page("pages/overview.py", title="Overview", icon=":material/dashboard:", url_path="overview", default=True),
        st.Page("pages/coverage.py", title="Coverage", icon=":material/map:", url_path="coverage"),
        st.Page("pages/payments.py", title="Payment delays", icon=":material/schedule:", url_path="payments"),
        st.Page("pages/coordination.py", title="Coordination", icon=":material/handshake:", url_path="coordination"),
    ],
    "Drill down": [
        st.Page("pages/province.py", title="Province profile", icon=":material/location_on:", url_path="province"),
        st.Page("pages/indicator.py", title="Indicator", icon=":material/monitoring:", url_path="indicator"),
    ],
}
data_pages = []
if auth.allowed(user, (auth.COMMISSION, auth.SECRETARIAT)):
    data_pages.append(st.Page("pages/data_status.py", title="Data status", icon=":material/database:",
                              url_path="data_status"))
if auth.allowed(user, (auth.SECRETARIAT,)):
    data_pages.append(st.Page("pages/refresh.py", title="Data refresh", icon=":material/upload_file:",
                              url_path="refresh"))
if data_pages:
    PAGES["Data"] = data_pages

st.sidebar.markdown("**NSPS · SDG 1.3 monitor**  \nNational Social Protection Commission, Lao PDR")
with st.sidebar:
    if user.signed_in:
        auth.render_sign_out()
    else:
        with st.expander("Sign in (Secretariat, Commission)", icon=":material/login:"):
            auth.render_sign_in_form()
    auth.write_session_cookie()
st.navigation(PAGES).run()

"""Lao PDR social protection monitor (NSPS / SDG 1.3): the entry point only routes; pages live in pages/."""
import streamlit as st

from dashboard.components import leave_legacy_pages_mode

leave_legacy_pages_mode()

st.set_page_config(layout="wide", page_title="Lao PDR social protection monitor")

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
    "Data": [
        st.Page("pages/data_status.py", title="Data status", icon=":material/database:", url_path="data_status"),
    ],
}

st.sidebar.markdown("**NSPS · SDG 1.3 monitor**  \nNational Social Protection Commission, Lao PDR")
st.navigation(PAGES).run()

"""Lao PDR social protection monitor (NSPS / SDG 1.3): the entry point only routes; pages live in pages/."""
import streamlit as st

st.set_page_config(layout="wide", page_title="Lao PDR social protection monitor", page_icon="📊")

PAGES = {
    "Monitor": [
        st.Page("pages/overview.py", title="Overview", icon="📋", url_path="overview", default=True),
        st.Page("pages/coverage.py", title="Coverage", icon="🗺️", url_path="coverage"),
        st.Page("pages/payments.py", title="Payment delays", icon="⏱️", url_path="payments"),
        st.Page("pages/coordination.py", title="Coordination", icon="🤝", url_path="coordination"),
    ],
    "Drill down": [
        st.Page("pages/province.py", title="Province profile", icon="📍", url_path="province"),
        st.Page("pages/indicator.py", title="Indicator", icon="📈", url_path="indicator"),
    ],
    "Data": [
        st.Page("pages/data_status.py", title="Data status", icon="🗂️", url_path="data-status"),
    ],
}

st.sidebar.markdown("**NSPS · SDG 1.3 monitor**  \nNational Social Protection Commission, Lao PDR")
st.navigation(PAGES).run()

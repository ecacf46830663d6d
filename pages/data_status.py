"""Data status: which version is shown, how it was refreshed, what warned, and which returns are missing or late."""

import pandas as pd
import streamlit as st

from dashboard import auth, components, data, format as fmt, i18n, navigation
from dashboard.i18n import t

navigation.enter_page()  # only ever run through app.py's navigation
user = auth.require_role(auth.COMMISSION, auth.SECRETARIAT)  # also a crafted URL: the public never gets here
secretariat = auth.allowed(user, (auth.SECRETARIAT,))
context = components.start_page("Data status", "How fresh is the data, and who has not reported?", show=())
if context is None:
    st.stop()
v = context.version
info = data.version_info(v)

a, b, c, d = st.columns(4)
a.metric(t("Version shown"), v, border=True)
# The day in the tile (a day and a time do not fit a quarter of the page, nor a phone); the time in its help.
b.metric(
    t("Refreshed"),
    fmt.date_text(info["created_at"][:10]) if info.get("created_at") else t("unknown"),
    help=i18n.date_time_label(info["created_at"]) if info.get("created_at") else None,
    border=True,
)
c.metric(t("By"), str(info.get("operator") or t("unknown")) if secretariat else t("Technical Secretariat"), border=True)
warnings = info.get("warnings") or []
d.metric(t("Warnings in that refresh"), fmt.number(len(warnings)), border=True)

st.subheader(t("Returns missing or late"))
returns = data.supporting(v, "returns_status")
if returns.empty:
    st.success(t("Every expected return has arrived on time."))
else:
    shown = returns.assign(status=returns["status"].map(fmt.reporting_label))
    components.table_with_downloads(shown, "returns missing or late")

st.subheader(t("Who has reported"))
st.caption(
    t(
        "Per source and period of the aggregate returns: provinces whose rows are all there (covered), some of "
        "whose districts are missing (partly covered), or with no rows (missing). Provinces a source has never "
        "reported (outside a programme's area) are counted apart. The same as `python -m data_pipeline coverage`."
    )
)
reported = data.reporting_summary(v)
gaps = reported[(reported["partly_covered"] > 0) | (reported["missing"] > 0)] if len(reported) else reported
if len(reported) and gaps.empty:
    st.success(t("Every province that reports to these sources is covered in every period."))
elif len(gaps):
    st.warning(
        t("{count} source-period(s) are partly covered or have provinces missing.", count=len(gaps)),
        icon=":material/warning:",
    )
components.table_with_downloads(reported, "who has reported")
with st.expander(t("Provinces missing or partly covered, with the districts missing")):
    detail = data.reporting_coverage(v)
    components.table_with_downloads(
        detail[detail["status"].isin(["missing", "partly covered"])], "provinces missing or partly covered"
    )

st.subheader(t("Warnings of the last refresh"))
if warnings:
    frame = pd.DataFrame(warnings) if isinstance(warnings[0], dict) else pd.DataFrame({"warning": warnings})
    frame = frame.drop(columns=["code"], errors="ignore")  # the pipeline's own name of the check; the message says it
    components.table_with_downloads(frame, "refresh warnings")
else:
    st.write(t("None."))

left, right = st.columns(2)
with left:
    st.subheader(t("Tables in this version"))
    tables = info.get("tables") or {}
    counts = pd.DataFrame(
        [{"table": k, "rows": (r.get("rows") if isinstance(r, dict) else r)} for k, r in tables.items()]
    )
    components.table_with_downloads(counts, "table row counts")
with right:
    st.subheader(t("Files in this version"))
    files = pd.DataFrame(info.get("files") or [])
    components.table_with_downloads(files, "files")

if secretariat:
    # The audit trail: every publish, rejection and roll-back — who, when, which files, which version.
    st.subheader(t("Audit trail"))
    st.caption(t("Every refresh (published or rejected) and every roll-back, newest first."))
    components.table_with_downloads(data.audit_trail(), "audit trail")
    st.subheader(t("Sign-in pauses"))
    st.caption(t("Each time repeated wrong passwords paused sign-in for an account from one computer, newest first."))
    components.table_with_downloads(data.sign_in_pauses(), "sign-in pauses")
    st.subheader(t("Refresh log"))
    components.table_with_downloads(data.refresh_log(), "refresh log")
st.subheader(t("Versions"))
versions = data.versions()
unaudited = versions[versions["audit"] != "completed"]["version"].tolist() if len(versions) else []
if unaudited:
    st.error(
        t(
            "No completed audit line for {versions}: the publish was interrupted after the version was written. "
            "Check it, then roll back or publish again.",
            versions=", ".join(unaudited),
        ),
        icon=":material/report:",
    )
components.table_with_downloads(versions if secretariat else versions.drop(columns=["operator"]), "versions")

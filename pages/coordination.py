"""Coordination: does the Commission meet, do ministries and provinces report, do referrals close, is the roadmap
on time — and which provinces coordinate well (PCI)."""
import pandas as pd
import streamlit as st

from dashboard import charts, components, data, format as fmt

context = components.start_page(
    "Coordination",
    "Is the Commission meeting and hearing from every ministry and province? Which provinces need support?",
    show=("period", "province"), page_params=("rows",))
if context is None:
    st.stop()
f = context.filters
v = context.version


def in_view(frame: pd.DataFrame, *, province_column: str = "province") -> pd.DataFrame:
    if f.period and "period" in frame:
        frame = frame[frame["period"].astype(str).str.slice(0, len(f.period)) <= f.period]
    if not f.is_national and province_column in frame:
        frame = frame[frame[province_column] == f.province]
    return frame


# Meetings held vs planned, and who came.
meetings = in_view(data.supporting(v, "meetings"))
by_level = meetings.assign(level=meetings["level"].str.capitalize()).groupby("level", as_index=False)[
    ["planned", "held", "members_expected", "members_present", "at_designated_level"]].sum()
a, b, c, d = st.columns(4)
planned, held = by_level["planned"].sum(), by_level["held"].sum()
expected, present = by_level["members_expected"].sum(), by_level["members_present"].sum()
designated = by_level["at_designated_level"].sum()
a.metric("Meetings held / planned", f"{fmt.number(held)} / {fmt.number(planned)}", border=True)
b.metric("Attendance", fmt.value_with_unit(100 * present / expected if expected else None, "percent"),
         help="member institutions present / expected", border=True)
c.metric("At the designated level", fmt.value_with_unit(100 * designated / present if present else None, "percent"),
         help="present members represented at the designated level rather than by a delegate", border=True)
roadmap = data.supporting(v, "roadmap")


def latest_national(indicator_id: str):
    rows = data.trend(v, indicator_id, "LA", "_T").dropna(subset=["value"])
    if f.period:
        rows = rows[rows["period"].astype(str).str.slice(0, len(f.period)) <= f.period]
    return rows.iloc[-1] if len(rows) else None


# Actions due by the end of the quarter, overdue ones included until done (COORD_ROADMAP), not all actions ever.
done = latest_national("COORD_ROADMAP")
d.metric("Roadmap actions due and done",
         f"{fmt.number(done['numerator'])} of {fmt.number(done['denominator'])}" if done is not None else fmt.NO_DATA,
         help=(f"{done['period']}, as of {fmt.date_text(done['as_of_date'])}: actions due by the end of the "
               "quarter (overdue ones from earlier quarters included until done) that are done"
               if done is not None else None), border=True)

left, right = st.columns(2)
with left:
    held_long = by_level.melt(id_vars="level", value_vars=["planned", "held"], var_name="meetings", value_name="count")
    components.chart_with_table(
        charts.grouped_bars(held_long, x="level", y="count", series="meetings", unit="meetings",
                            title="Commission meetings: planned vs held").update_yaxes(title="meetings",
                                                                                     ticksuffix=""),
        meetings, "meetings")
with right:
    funnel_rows = in_view(data.referral_funnel(v, f.province))
    # A hidden period makes the sum unknown, not smaller (skipna=False).
    stages = pd.DataFrame({"stage": ["Referrals made", "Completed", "Feedback returned"],
                           "count": [funnel_rows[c].sum(skipna=False) for c in ("made", "completed",
                                                                                 "feedback_returned")]})
    components.chart_with_table(charts.funnel(stages, title="Referral funnel"), funnel_rows, "referral funnel")

# Reporting matrix: ministries or provinces × period.
st.subheader("Who has reported")
rows_kind = components.page_choice(context, "rows", "Rows", ["ministry", "province"],
                                   {"ministry": "Ministries", "province": "Provinces"})
matrix = data.supporting(v, "reporting_matrix")
if f.period:
    matrix = matrix[matrix["period"].astype(str).str.slice(0, len(f.period)) <= f.period]
matrix = matrix[matrix["sender_type"] == rows_kind]
if rows_kind == "province":
    matrix = matrix.assign(sender=matrix["province"].map(data.province_name).fillna(matrix["sender"]))
components.chart_with_table(
    charts.reporting_matrix(matrix, row="sender", title="Returns: ✔ on time · ◐ late · ✘ missing"),
    matrix.assign(status=matrix["status"].map(lambda s: fmt.REPORTING_SYMBOLS.get(s, s))), f"reporting {rows_kind}")

left, right = st.columns(2)
with left:
    grievances = data.by_province(v, "COORD_GRIEVANCE_TIMELY", "_T", f.period)
    components.chart_with_table(
        charts.bars(grievances, category="province_name", value="value", unit="percent",
                    title="Grievances resolved in time, by province",
                    highlight=None if f.is_national else data.province_name(f.province)),
        grievances, "grievances resolved in time")
    resolved = latest_national("COORD_GRIEVANCE_TIMELY")
    if resolved is not None:
        days = data.parameters(v)["general"]["grievance_standard_days"]
        pending = 0 if fmt.is_missing(resolved["pending"]) else resolved["pending"]
        st.caption(f"{resolved['period']}, as of {fmt.date_text(resolved['as_of_date'])} (the grievance log's "
                   f"date): {fmt.number(pending)} grievances received in the last {days} days are pending — not "
                   "judged yet, so an open one is not counted as late.")
with right:
    pci = data.supporting(v, "pci")
    if f.period:
        pci = pci[pci["period"].astype(str).str.slice(0, len(f.period)) <= f.period]
    pci = pci[pci["province"] != "LA"]       # the ranking is of provinces; the national score is not one of them
    latest_pci = pci[pci["period"] == pci["period"].max()] if len(pci) else pci
    named = latest_pci.assign(province_name=latest_pci["province"].map(data.province_name))
    named = named.assign(label=[f"⚑ {n}" if flag else n for n, flag in zip(named["province_name"], named["flagged"])])
    figure = charts.bars(named, category="label", value="score", unit="score",
                         title=f"Provincial Coordination Index {latest_pci['period'].max() if len(pci) else ''} "
                               "(⚑ = below a minimum)", flag="flagged")
    components.chart_with_table(figure, named.drop(columns=["label"]), "provincial coordination index")
    flagged = named[named["flagged"].fillna(False).astype(bool)]
    if len(flagged):
        st.markdown(f"**⚑ Flagged: {len(flagged)} of {len(named)} provinces** — {', '.join(flagged['province_name'])}")
        with st.expander("Why each province is flagged"):
            st.dataframe(flagged[["province_name", "score", "reasons"]], hide_index=True, width="stretch")

st.subheader("NSPS roadmap actions")
shown = roadmap.assign(on_time=roadmap["on_time"].map({True: "✔ yes", False: "✘ no"}).fillna("—"))
components.table_with_downloads(shown, "roadmap actions")

"""Coordination: does the Commission meet, do ministries and provinces report, do referrals close, is the roadmap
on time — and which provinces coordinate well (PCI)."""

import pandas as pd
import streamlit as st

from dashboard import charts, components, data, format as fmt, i18n, views
from dashboard.i18n import t

context = components.start_page(
    "Coordination",
    "Is the Commission meeting and hearing from every ministry and province? Which provinces need support?",
    show=("period", "province"),
    page_params=("rows",),
)
if context is None:
    st.stop()
f = context.filters
v = context.version


def in_view(frame: pd.DataFrame) -> pd.DataFrame:
    return views.in_view(frame, province=f.province, period=f.period)


def meetings():
    return in_view(data.supporting(v, "meetings"))


def meetings_by_level():
    held = meetings()
    return (
        held.assign(level=held["level"].str.capitalize().map(t))
        .groupby("level", as_index=False)[data.MEETING_COUNTS]
        .sum()
    )


# Meetings held vs planned, and who came.
totals = data.meeting_totals(v, f.province, f.period)
a, b, c, d = st.columns(4)
planned, held = totals["planned"], totals["held"]
expected, present = totals["members_expected"], totals["members_present"]
designated = totals["at_designated_level"]
a.metric(t("Meetings held / planned"), f"{fmt.number(held)} / {fmt.number(planned)}", border=True)
b.metric(
    t("Attendance"),
    fmt.value_with_unit(100 * present / expected if expected else None, "percent"),
    help=t("member institutions present / expected"),
    border=True,
)
c.metric(
    t("At the designated level"),
    fmt.value_with_unit(100 * designated / present if present else None, "percent"),
    help=t("present members represented at the designated level rather than by a delegate"),
    border=True,
)
# The national figures of the tiles and captions, latest at or before the chosen period.
done, resolved = data.latest_figures(
    v, ("COORD_ROADMAP", "COORD_GRIEVANCE_TIMELY"), views.NATIONAL, views.TOTAL, f.period
).values()
# Actions due by the end of the quarter, overdue ones included until done (COORD_ROADMAP), not all actions ever.
d.metric(
    t("Roadmap actions due and done"),
    t(fmt.SUPPRESSED)
    if views.hidden(done)
    else t("{part} of {whole}", part=fmt.number(done["numerator"]), whole=fmt.number(done["denominator"]))
    if done is not None
    else t(fmt.NO_DATA),
    help=t(
        "{period}, as of {date}: actions due by the end of the quarter (overdue ones from earlier quarters "
        "included until done) that are done",
        period=i18n.period_label(done["period"]),
        date=fmt.date_text(done["as_of_date"]),
    )
    if done is not None
    else None,
    border=True,
)

# Each chart's table is made only when its figure or grid is not kept under the view yet (components.later).
later = components.later


def funnel_rows():
    return in_view(data.referral_funnel(v, f.province))


def funnel_stages():
    rows = funnel_rows()
    # A hidden period makes the sum unknown, not smaller (skipna=False).
    stages = pd.DataFrame(
        {
            "stage": [t("Referrals made"), t("Completed"), t("Feedback returned")],
            "count": [rows[c].sum(skipna=False) for c in ("made", "completed", "feedback_returned")],
        }
    )
    # An unknown sum is "suppressed" where the public table hid one of its rows.
    stages["suppressed"] = stages["count"].isna() & bool(rows["suppressed"].any())
    return stages


left, right = st.columns(2)
with left:
    components.chart_with_table(
        components.figure(
            charts.grouped_bars,
            later(
                lambda: meetings_by_level().melt(
                    id_vars="level", value_vars=["planned", "held"], var_name="meetings", value_name="count"
                )
            ),
            x="level",
            y="count",
            series="meetings",
            unit="meetings",
            title=t("Commission meetings: planned vs held"),
            value_axis={"title": t("meetings"), "ticksuffix": ""},
            view=context.view(),
        ),
        meetings,
        "meetings",
    )
with right:
    components.chart_with_table(
        components.figure(charts.funnel, later(funnel_stages), title=t("Referral funnel"), view=context.view()),
        funnel_rows,
        "referral funnel",
    )

# Reporting matrix: ministries or provinces × period.
st.subheader(t("Who has reported"))
rows_kind = components.page_choice(
    context, "rows", "Rows", ["ministry", "province"], {"ministry": t("Ministries"), "province": t("Provinces")}
)


def reporting_matrix():
    matrix = data.supporting(v, "reporting_matrix")
    if f.period:
        matrix = matrix[matrix["period"].astype(str).str.slice(0, len(f.period)) <= f.period]
    matrix = matrix[matrix["sender_type"] == rows_kind]
    if rows_kind == "province":
        return matrix.assign(sender=matrix["province"].map(data.province_name).fillna(matrix["sender"]))
    return matrix.assign(sender=matrix["sender"].map(t))


def with_status_words(matrix):
    return matrix.assign(status=matrix["status"].map(fmt.reporting_label))


components.chart_with_table(
    components.figure(
        charts.reporting_matrix,
        later(reporting_matrix),
        row="sender",
        title=t("Returns: ✔ on time · ◐ late · ✘ missing"),
        subtitle=None if f.is_national else t("every sender: the province filter does not apply to this chart"),
        view=context.view(),
    ),
    lambda: with_status_words(reporting_matrix()),
    f"reporting {rows_kind}",
    label=t("reporting {rows}", rows=t(rows_kind)),
)


def grievances():
    return data.by_province(v, "COORD_GRIEVANCE_TIMELY", "_T", f.period)


left, right = st.columns(2)
with left:
    components.chart_with_table(
        components.figure(
            charts.bars,
            later(grievances),
            category="province_name",
            value="value",
            unit="percent",
            title=t("Grievances resolved in time, by province"),
            highlight=None if f.is_national else data.province_name(f.province),
            view=context.view(),
        ),
        grievances,
        "grievances resolved in time",
    )
    if resolved is not None:
        days = data.parameters(v)["general"]["grievance_standard_days"]
        pending = 0 if fmt.is_missing(resolved["pending"]) else resolved["pending"]
        st.caption(
            t(
                "{period}, as of {date} (the grievance log's date): {count} grievances received in the last "
                "{days} days are pending — not judged yet, so an open one is not counted as late.",
                period=i18n.period_label(resolved["period"]),
                date=fmt.date_text(resolved["as_of_date"]),
                count=fmt.number(pending),
                days=days,
            )
        )
with right:
    named, flagged, reasons = data.pci_ranking(v, i18n.language(), f.period)
    figure = components.figure(
        charts.bars,
        named,
        category="label",
        value="score",
        unit="score",
        title=t(
            "Provincial Coordination Index {period} (⚑ = below a minimum)",
            period=i18n.period_label(named["period"].max()) if len(named) else "",
        ),
        flag="flagged",
        suppressed="score_suppressed",
        highlight=dict(zip(named["province"], named["label"])).get(f.province),
        view=context.view(),
    )
    components.chart_with_table(figure, named.drop(columns=["label"]), "provincial coordination index")
    if len(flagged):
        st.markdown(
            t(
                "**⚑ Flagged: {count} of {total} provinces** — {names}",
                count=len(flagged),
                total=len(named),
                names=", ".join(flagged["province_name"]),
            )
        )
        with st.expander(t("Why each province is flagged")):
            st.dataframe(
                reasons,
                column_config={
                    i18n.column_label(c): st.column_config.Column(i18n.column_title(c))
                    for c in ("province_name", "score", "reasons")
                },
                hide_index=True,
                width="stretch",
            )

st.subheader(t("NSPS roadmap actions"))


def roadmap_actions():
    roadmap = data.supporting(v, "roadmap")
    return roadmap.drop(columns=["action_id"], errors="ignore").assign(
        on_time=roadmap["on_time"].map({True: "✔ " + t("yes"), False: "✘ " + t("no")}).fillna("—")
    )


components.table_with_downloads(roadmap_actions, "roadmap actions", view=context.view())

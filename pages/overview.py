"""Overview: the scorecard of every indicator against its target, grouped by SDG 1.3.1, the pillars, delivery and
coordination, with headline tiles."""

import functools
from urllib.parse import urlencode

import pandas as pd
import streamlit as st

from dashboard import components, data, format as fmt, i18n, views
from dashboard.i18n import t
from dashboard.pack.button import meeting_pack_button

context = components.start_page(
    "Social protection scorecard",
    "Where does each NSPS and SDG 1.3 indicator stand against its target, and which way is it moving?",
)
if context is None:
    st.stop()
f = context.filters
card = data.scorecard(context.version, f.province, f.sex, f.period)

# Headline tiles: the Commission's first questions.
tiles = card.set_index("indicator_id")
columns = st.columns(len(views.HEADLINES))
for column, indicator_id in zip(columns, views.HEADLINES):
    if indicator_id not in tiles.index:
        continue
    row = tiles.loc[indicator_id]
    trend = row["trend"]
    delta, unchanged = fmt.change_on_previous(trend, row["unit"])
    column.metric(
        row["short_name"],
        fmt.value_with_unit(row["value"], row["unit"], views.hidden(row)),
        delta=delta,
        delta_color="off" if unchanged else ("normal" if row["polarity"] == "higher_is_better" else "inverse"),
        delta_arrow="off" if unchanged else "auto",
        help=t(
            "{period}, as of {date}",
            period=i18n.period_label(row["period"]) if isinstance(row["period"], str) else t(fmt.NO_DATA),
            date=fmt.date_text(row["as_of_date"]),
        )
        + f" · {fmt.status_label(row['status'])}",
        border=True,
    )

components.mark_hidden(card["suppressed"].fillna(False).astype(bool) if "suppressed" in card.columns else False)

meeting_pack_button(context.version, f.period, f.province)

counts = card["status"].map(fmt.status_label).value_counts()
st.markdown(t("**Against target:**") + " " + " · ".join(f"{label} **{n}**" for label, n in counts.items()))
if card["illustrative_targets"].fillna(False).any():
    st.caption(t("Targets marked † are illustrative: the Commission has not yet set them (parameters file)."))

show_parts = st.toggle(t("Show numerators and denominators"), value=False)
base_params = {k: v for k, v in context.params.items()}


@functools.cache
def scorecard_table() -> pd.DataFrame:
    """The scorecard in words; made only when a group's grid is not kept yet for this view."""
    return card.assign(
        latest=[
            fmt.value_with_unit(v, u, hid)
            + (f" ({fmt.bounds_text(lo, hi, u)})" if fmt.bounds_text(lo, hi, u) else "")
            + (f" — {t(note)}" if isinstance(note, str) and note and not fmt.is_missing(v) else "")
            for v, u, lo, hi, note, hid in zip(
                card["value"],
                card["unit"],
                card["lower_bound"],
                card["upper_bound"],
                card["sex_note"],
                card["suppressed"] if "suppressed" in card.columns else [False] * len(card),
            )
        ],
        target=[
            t(fmt.NO_DATA)
            if fmt.is_missing(goal)
            else t("{value} by {year}", value=fmt.value_with_unit(goal, u), year=int(y)) + (" †" if illus else "")
            for goal, u, y, illus in zip(
                card["target_value"],
                card["unit"],
                card["target_year"].fillna(0),
                card["illustrative_targets"].fillna(False),
            )
        ],
        status_text=card["status"].map(fmt.status_label),
        numerator_text=[
            t(fmt.SUPPRESSED) if hid is True else fmt.number(n)
            for n, hid in zip(card["numerator"], card.get("suppressed", [False] * len(card)))
        ],
        denominator_text=[
            t(fmt.SUPPRESSED) if hid is True else fmt.number(d) if not fmt.is_missing(d) else "—"
            for d, hid in zip(card["denominator"], card.get("suppressed", [False] * len(card)))
        ],
        details=["indicator?" + urlencode({**base_params, "indicator": i}) for i in card["indicator_id"]],
        period_text=[i18n.period_label(p) if isinstance(p, str) else "—" for p in card["period"]],
    )


column_config = {
    "short_name": st.column_config.TextColumn(t("Indicator"), width="medium"),
    "latest": st.column_config.TextColumn(t("Latest value")),
    "period_text": st.column_config.TextColumn(t("Period")),
    "target": st.column_config.TextColumn(t("Target")),
    "status_text": st.column_config.TextColumn(t("Status against target")),
    "trend": st.column_config.LineChartColumn(t("Trend"), width="small"),
    "numerator_text": st.column_config.TextColumn(t("Numerator")),
    "denominator_text": st.column_config.TextColumn(t("Denominator")),
    "details": st.column_config.LinkColumn(t("Details"), display_text=t("Open ›")),
}
order = ["short_name", "latest", "period_text", "target", "status_text", "trend"]
order += ["numerator_text", "denominator_text"] if show_parts else []
order += ["details"]


def group_rows(group: str) -> pd.DataFrame:
    table = scorecard_table()
    rows = table[table["group"] == group]
    # On a phone: three columns that wrap, so the status and the target it is judged against stay in view.
    return rows.assign(
        latest_when=rows["latest"] + " (" + rows["period_text"] + ")",
        against=rows["status_text"] + " — " + rows["target"],
    )


groups = set(card["group"])
for group, _ in views.AREA_GROUPS:
    if group not in groups:
        continue
    st.subheader(t(group))
    components.grid_or_phone_table(
        functools.partial(group_rows, group),
        key=f"card_{group[:12]}",
        grid={"column_order": order, "column_config": column_config, "key": f"card_{group[:12]}"},
        phone={"short_name": t("Indicator"), "latest_when": t("Latest value"), "against": t("Status against target")},
        view=context.view(group),
    )

with st.expander(t("Download the scorecard")):
    components.table_with_downloads(
        lambda: card.drop(columns=["trend"]).assign(
            status=card["status"].map(fmt.status_label), group=card["group"].map(t)
        ),
        "scorecard",
        view=context.view(),
    )

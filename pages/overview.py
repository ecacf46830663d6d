"""Overview: the scorecard of every indicator against its target, grouped by SDG 1.3.1, the pillars, delivery and
coordination, with headline tiles."""
from urllib.parse import urlencode

import streamlit as st

from dashboard import components, data, format as fmt, views

context = components.start_page(
    "Social protection scorecard",
    "Where does each NSPS and SDG 1.3 indicator stand against its target, and which way is it moving?")
if context is None:
    st.stop()
f = context.filters
card = data.scorecard(context.version, f.province, f.sex, f.period)

# Headline tiles: the Commission's first questions.
HEADLINES = ("SI_COV_BENFTS", "NSPS_HI_COV", "NSPS_SW_MECG", "PAY_NEVER_PAID", "COORD_REPORT_TIMELY")
tiles = card.set_index("indicator_id")
columns = st.columns(len(HEADLINES))
for column, indicator_id in zip(columns, HEADLINES):
    if indicator_id not in tiles.index:
        continue
    row = tiles.loc[indicator_id]
    trend = row["trend"]
    delta, unchanged = fmt.change_on_previous(trend, row["unit"])
    column.metric(row["short_name"], fmt.value_with_unit(row["value"], row["unit"]), delta=delta,
                  delta_color="off" if unchanged else (
                      "normal" if row["polarity"] == "higher_is_better" else "inverse"),
                  delta_arrow="off" if unchanged else "auto",
                  help=f"{row['period'] if isinstance(row['period'], str) else 'no data'}, as of "
                       f"{fmt.date_text(row['as_of_date'])} · {fmt.status_label(row['status'])}", border=True)

counts = card["status"].map(fmt.status_label).value_counts()
st.markdown("**Against target:** " + " · ".join(f"{label} **{n}**" for label, n in counts.items()))
if card["illustrative_targets"].fillna(False).any():
    st.caption("Targets marked † are illustrative: the Commission has not yet set them (parameters file).")

show_parts = st.toggle("Show numerators and denominators", value=False)
base_params = {k: v for k, v in context.params.items()}
table = card.assign(
    latest=[fmt.value_with_unit(v, u) + (f" ({fmt.bounds_text(lo, hi, u)})" if fmt.bounds_text(lo, hi, u) else "")
            + (f" — {note}" if isinstance(note, str) and note and not fmt.is_missing(v) else "")
            for v, u, lo, hi, note in zip(card["value"], card["unit"], card["lower_bound"], card["upper_bound"],
                                          card["sex_note"])],
    target=[fmt.NO_DATA if fmt.is_missing(t) else f"{fmt.value_with_unit(t, u)} by {int(y)}"
            + (" †" if illus else "")
            for t, u, y, illus in zip(card["target_value"], card["unit"], card["target_year"].fillna(0),
                                      card["illustrative_targets"].fillna(False))],
    status_text=card["status"].map(fmt.status_label),
    numerator_text=card["numerator"].map(fmt.number),
    denominator_text=[fmt.number(d) if not fmt.is_missing(d) else "—" for d in card["denominator"]],
    details=["indicator?" + urlencode({**base_params, "indicator": i}) for i in card["indicator_id"]],
    period_text=card["period"].fillna("—"),
)
column_config = {
    "short_name": st.column_config.TextColumn("Indicator", width="medium"),
    "latest": st.column_config.TextColumn("Latest value"),
    "period_text": st.column_config.TextColumn("Period"),
    "target": st.column_config.TextColumn("Target"),
    "status_text": st.column_config.TextColumn("Status against target"),
    "trend": st.column_config.LineChartColumn("Trend", width="small"),
    "numerator_text": st.column_config.TextColumn("Numerator"),
    "denominator_text": st.column_config.TextColumn("Denominator"),
    "details": st.column_config.LinkColumn("Details", display_text="Open ›"),
}
order = ["short_name", "latest", "period_text", "target", "status_text", "trend"]
order += ["numerator_text", "denominator_text"] if show_parts else []
order += ["details"]
for group, _ in views.AREA_GROUPS:
    rows = table[table["group"] == group]
    if rows.empty:
        continue
    st.subheader(group)
    st.dataframe(rows, column_order=order, column_config=column_config, hide_index=True, width="stretch",
                 key=f"card_{group[:12]}")

with st.expander("Download the scorecard"):
    export = card.drop(columns=["trend"]).assign(status=card["status"].map(fmt.status_label))
    components.table_with_downloads(export, "scorecard")

"""One indicator in full (``?indicator=ID``): definition, method, targets, every disaggregation, every value."""

import pandas as pd
import streamlit as st

from dashboard import charts, components, data, format as fmt, i18n, maps, views
from dashboard.i18n import t

# The official title of the global indicator the SDG series belong to (its Lao title is Open SDG's).
SDG_131_TITLE = (
    "SDG 1.3.1: Proportion of population covered by social protection floors/systems, by sex, "
    "distinguishing children, unemployed persons, older persons, persons with disabilities, pregnant "
    "women, newborns, work-injury victims and the poor and the vulnerable"
)

context = components.start_page(
    "Indicator", "What exactly does this indicator measure, and what are its values?", page_params=("indicator",)
)
if context is None:
    st.stop()
f = context.filters
catalogue = data.catalogue(context.version)
ids = list(catalogue["indicator_id"])
# The name first: a phone's narrow menu cuts the end of the label, and the code is the part a reader needs least.
labels = dict(zip(catalogue["indicator_id"], catalogue["short_name"] + " (" + catalogue["indicator_id"] + ")"))
indicator_id = components.page_choice(context, "indicator", "Indicator", ids, labels)
entry = catalogue.set_index("indicator_id").loc[indicator_id]
unit = entry["unit"]
denominator_label = entry["denominator_label"] if isinstance(entry["denominator_label"], str) else None
series_code = entry["sdg_series"] if isinstance(entry["sdg_series"], str) else None  # missing reads NaN

st.header(f"{entry['short_name']}")
st.markdown(entry["long_name"])
# When the figure is "as of", and what is still pending on that date (neither success nor failure yet).
last = data.latest_figures(context.version, (indicator_id,), f.province, f.sex, f.period)[indicator_id]
if last is not None:
    components.mark_hidden(views.hidden(last))
    as_of_line = t(
        "**Latest figure:** {value} for {period}, **as of {date}** — the date its sources hold data to; "
        "what is due, late or pending is judged on that date (see the method note).",
        value=fmt.value_with_unit(last["value"], unit, views.hidden(last)),
        period=i18n.period_label(last["period"]),
        date=fmt.date_text(last["as_of_date"]),
    )
    if isinstance(entry["pending_label"], str) and not fmt.is_missing(last["pending"]) and last["pending"] > 0:
        as_of_line += "  \n" + t(
            "**Pending:** {count} — {label} on that date; not counted as failures, nor in the figure.",
            count=fmt.number(last["pending"]),
            label=entry["pending_label"].lower(),
        )
    st.markdown(as_of_line)
else:
    st.markdown(t("**Latest figure:** no data for this selection."))
left, right = st.columns(2)
with left:
    st.markdown(
        f"**{t('Numerator:')}** {entry['numerator_label']}  \n"
        f"**{t('Denominator:')}** {denominator_label or '—'}  \n"
        f"**{t('Unit:')}** {t(unit)} · **{t('Polarity:')}** {t(str(entry['polarity']).replace('_', ' '))}  \n"
        f"**{t('SDG series:')}** {series_code or '—'} · **{t('Area:')}** {t(entry['area'])}"
    )
    st.markdown(f"**{t('Sources:')}** " + ", ".join(str(i18n.code_text(s)) for s in entry["sources"]))
    if series_code:
        st.caption(t(SDG_131_TITLE))
with right:
    illustrative = t(" (illustrative — not yet set by the Commission)") if entry["illustrative_targets"] else ""
    base_value, base_period = data.baseline(context.version, indicator_id)
    base_source = t("official figure") if pd.notna(entry["baseline_value"]) else t("measured")
    base_when = (
        i18n.period_label(base_period)
        if base_period
        else str(int(entry["baseline_year"]))
        if pd.notna(entry["baseline_year"])
        else "—"
    )
    st.markdown(
        f"**{t('Baseline:')}** {fmt.value_with_unit(base_value, unit)} "
        f"({base_when}, {base_source})  \n"
        f"**{t('Target 2025:')}** {fmt.value_with_unit(entry['target_2025'], unit)}  \n"
        f"**{t('Target 2030:')}** {fmt.value_with_unit(entry['target_2030'], unit)}{illustrative}"
    )
    st.markdown(f"**{t('Disaggregations:')}** " + ", ".join(t(d) for d in entry["disaggregations"]))
with st.expander(t("Method note"), expanded=True):
    st.markdown(entry["method_note"])


def over_time():
    """The national series, and the province's beside it, up to the chosen period."""
    series = data.trend(context.version, indicator_id, "LA", f.sex).assign(area=t("Lao PDR"))
    if not f.is_national:
        trend = data.trend(context.version, indicator_id, f.province, f.sex)
        series = pd.concat([series, trend.assign(area=data.province_name(f.province))], ignore_index=True)
    return views.at_or_before(series, f.period)


def women_and_men():
    return data.by_sex(context.version, indicator_id, f.province, f.period)


# Each chart's table is made only when its figure or grid is not kept under the view yet (components.later).
left, right = st.columns(2)
with left:
    components.chart_with_table(
        components.figure(
            charts.lines,
            components.later(over_time),
            x="period",
            y="value",
            series="area",
            unit=unit,
            title=t("Over time"),
            target=entry["target_2030"],
            target_year=2030,
            view=context.view(),
        ),
        over_time,
        f"{indicator_id} over time",
        label=t("{id} over time", id=indicator_id),
    )
with right:
    components.chart_with_table(
        components.figure(
            charts.women_and_men,
            components.later(women_and_men),
            unit=unit,
            title=t("Women and men"),
            view=context.view(),
        ),
        women_and_men,
        f"{indicator_id} by sex",
        label=t("{id} by sex", id=indicator_id),
    )

provinces = data.by_province(context.version, indicator_id, f.sex, f.period)
if (provinces["value"].notna() | provinces.get("suppressed", False)).any():
    left, right = st.columns([3, 2])
    with left:
        figure, kind = components.figure(
            maps.province_map,
            provinces,
            unit=unit,
            title=t("By province"),
            highlight=None if f.is_national else f.province,
            view=context.view(),
        )
        components.chart_with_table(
            figure,
            provinces,
            f"{indicator_id} by province",
            caption=t(maps.ATTRIBUTION),
            label=t("{id} by province", id=indicator_id),
        )
    with right:
        components.chart_with_table(
            components.figure(
                charts.bars,
                provinces,
                category="province_name",
                value="value",
                unit=unit,
                title=t("Ranking"),
                highlight=None if f.is_national else data.province_name(f.province),
                view=context.view(),
            ),
            provinces,
            f"{indicator_id} province ranking",
            label=t("{id} province ranking", id=indicator_id),
        )

for dimension in data.disaggregations(context.version, indicator_id):
    rows = data.breakdown(context.version, indicator_id, dimension, f.province, f.sex, f.period)
    if len(rows):
        components.chart_with_table(
            components.figure(
                charts.grouped_bars,
                components.later(
                    lambda rows=rows, dimension=dimension: rows.assign(**{dimension: rows[dimension].astype(str)})
                ),
                x="period",
                y="value",
                series=dimension,
                unit=unit,
                title=t("By {dimension}", dimension=t(dimension)),
                view=context.view(),
            ),
            rows,
            f"{indicator_id} by {dimension}",
            label=t("{id} by {dimension}", id=indicator_id, dimension=t(dimension)),
        )

districts = data.by_district(context.version, indicator_id, f.sex, f.province, f.period)
if len(districts):
    with st.expander(
        t(
            "By district ({count} district)" if len(districts) == 1 else "By district ({count} districts)",
            count=len(districts),
        )
    ):
        components.table_with_downloads(districts, f"{indicator_id} by district", view=context.view())

st.subheader(t("Every value"))
components.table_with_downloads(
    lambda: data.indicator_rows(context.version, indicator_id), f"{indicator_id} values", view=context.view()
)

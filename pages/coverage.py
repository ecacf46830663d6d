"""Coverage: SDG 1.3.1 and pillar coverage by province (map and ranking), the gender gap, trends, districts."""

import streamlit as st

from dashboard import charts, components, data, format as fmt, i18n, maps, views
from dashboard.i18n import t

context = components.start_page(
    "Coverage",
    "Who is covered by social protection, in which province, and are women and men covered alike?",
    page_params=("indicator",),
)
if context is None:
    st.stop()
f = context.filters
catalogue = data.catalogue(context.version)
coverage = catalogue[catalogue["area"].isin(["sdg_131", "health_insurance", "social_security", "social_welfare"])]
names = dict(zip(coverage["indicator_id"], coverage["short_name"]))
indicator_id = components.page_choice(
    context,
    "indicator",
    "Coverage indicator",
    list(coverage["indicator_id"]),
    {i: f"{n} ({i})" for i, n in names.items()},
)
entry = coverage.set_index("indicator_id").loc[indicator_id]
unit = entry["unit"]
st.caption(entry["long_name"])

# Headline: national (or the chosen province), women, men and the F/M ratio.
gap = data.by_sex(context.version, indicator_id, f.province, f.period)
latest = data.latest_figures(context.version, (indicator_id,), f.province, "_T", f.period)[indicator_id]
flags = [c for c in ("female_suppressed", "male_suppressed") if c in gap.columns]
last_gap = gap[gap[["female", "male"]].notna().any(axis=1) | gap[flags].fillna(False).astype(bool).any(axis=1)].tail(1)


def gap_tile(column: str, unit: str) -> str:
    """The latest women's or men's figure ('suppressed' when hidden); the ratio is hidden with either."""
    if last_gap.empty:
        return fmt.value_with_unit(None, unit)
    row = last_gap.iloc[0]
    hidden = [bool(row.get(f"{sex}_suppressed", False)) for sex in ("female", "male")]
    hid = any(hidden) if column == "female_to_male_ratio" else hidden[column == "male"]
    components.mark_hidden(hid)
    return fmt.value_with_unit(row[column], unit, hid)


a, b, c, d = st.columns(4)
components.mark_hidden(latest is not None and views.hidden(latest))
a.metric(
    t("{area}, both sexes", area=data.province_name(f.province)),
    fmt.value_with_unit(
        latest["value"] if latest is not None else None, unit, latest is not None and views.hidden(latest)
    ),
    border=True,
    help=t(
        "period {period}, as of {date}",
        period=i18n.period_label(latest["period"]),
        date=fmt.date_text(latest["as_of_date"]),
    )
    if latest is not None
    else t(fmt.NO_DATA),
)
if latest is not None:
    st.caption(
        t(
            "Figures for {period} are as of {date}: the date the sources hold data to.",
            period=i18n.period_label(latest["period"]),
            date=fmt.date_text(latest["as_of_date"]),
        )
    )
b.metric(t("Women and girls"), gap_tile("female", unit), border=True)
c.metric(t("Men and boys"), gap_tile("male", unit), border=True)
d.metric(
    t("Female / male ratio"),
    gap_tile("female_to_male_ratio", "ratio"),
    border=True,
    help=t("1.00 = parity; below 1, women are less covered than men"),
)

provinces = data.by_province(context.version, indicator_id, f.sex, f.period)
left, right = st.columns([3, 2])
with left:
    figure, kind = components.figure(
        maps.province_map,
        provinces,
        unit=unit,
        title=t("{name} by province", name=entry["short_name"]),
        highlight=None if f.is_national else f.province,
        view=context.view(),
    )
    components.chart_with_table(
        figure,
        provinces,
        f"{indicator_id} by province",
        caption=t(maps.ATTRIBUTION)
        + ("" if kind == "choropleth" else t(" — boundary file unavailable: tile grid shown")),
        label=t("{id} by province", id=indicator_id),
    )
with right:
    components.chart_with_table(
        components.figure(
            charts.bars,
            components.later(lambda: provinces.assign(value=provinces["value"])),
            category="province_name",
            value="value",
            unit=unit,
            title=t("Ranking"),
            highlight=None if f.is_national else data.province_name(f.province),
            view=context.view(),
        ),
        provinces,
        f"{indicator_id} ranking",
        label=t("{id} ranking", id=indicator_id),
    )
    missing = provinces.loc[provinces["value"].isna(), "province_name"]
    if len(missing):
        st.caption(t("No data for {count} province(s): {names}.", count=len(missing), names=", ".join(missing)))

left, right = st.columns(2)
with left:
    components.chart_with_table(
        components.figure(
            charts.women_and_men, gap, unit=unit, title=t("Gender gap: women vs men"), view=context.view()
        ),
        gap,
        f"{indicator_id} by sex",
        label=t("{id} by sex", id=indicator_id),
    )


def trend():
    return data.trend(context.version, indicator_id, f.province, "_T")


with right:
    components.chart_with_table(
        components.figure(
            charts.lines,
            components.later(lambda: views.at_or_before(trend(), f.period)),
            x="period",
            y="value",
            series=None,
            unit=unit,
            title=t("Trend (both sexes)"),
            target=entry.get("target_2030"),
            target_year=2030,
            view=context.view(),
        ),
        trend,
        f"{indicator_id} trend",
        label=t("{id} trend", id=indicator_id),
    )

district_rows = data.by_district(context.version, indicator_id, f.sex, f.province, f.period)
if len(district_rows):
    st.subheader(t("Districts"))
    title = t("By district (where the source has it)")
    components.chart_with_table(
        components.figure(
            charts.bars,
            components.later(
                lambda: district_rows.assign(
                    label=district_rows["district_name"].fillna(district_rows["district"])
                    + " ("
                    + district_rows["province"].str.slice(3)
                    + ")"
                )
            ),
            category="label",
            value="value",
            unit=unit,
            title=title,
            view=context.view(),
        ),
        district_rows,
        f"{indicator_id} by district",
        label=t("{id} by district", id=indicator_id),
    )

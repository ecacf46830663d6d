"""Province profile: every indicator for one province beside the national figure."""

import functools
from urllib.parse import urlencode

import pandas as pd
import streamlit as st

from dashboard import charts, components, data, format as fmt, i18n, views
from dashboard.i18n import t
from dashboard.pack.button import meeting_pack_button

context = components.start_page(
    "Province profile", "How does this province compare with the country on every indicator?"
)
if context is None:
    st.stop()
f = context.filters
if f.is_national:
    st.info(t("Choose a province in the sidebar (Province) to see its profile against the national figure."))
    st.stop()

meeting_pack_button(context.version, f.period, f.province)
profile = data.province_profile(context.version, f.province, f.sex, f.period)
own_hidden = profile.get("suppressed", pd.Series(False, index=profile.index)).fillna(False).astype(bool)
national_hidden = profile.get("national_suppressed", pd.Series(False, index=profile.index)).fillna(False).astype(bool)
components.mark_hidden(own_hidden | national_hidden)  # the comparison then reads "suppressed" too (the views' rule)
name = data.province_name(f.province)
counts = profile["compared_with_national"].value_counts()
a, b, c = st.columns(3)


def _indicators(count: int) -> str:
    return t("{count} indicator" if count == 1 else "{count} indicators", count=count)


a.metric(t("Better than national"), _indicators(counts.get("▲ better", 0)), border=True)
b.metric(t("Worse than national"), _indicators(counts.get("▼ worse", 0)), border=True)
c.metric(t("No data for the province"), _indicators(counts.get("no data", 0)), border=True)

hidden = profile.get("suppressed", False)
percent = profile[(profile["unit"] == "percent") & (profile["value"].notna() | hidden)]


def province_and_nation():
    """One bar for the province and one for the country per indicator; a hidden figure reads "suppressed"."""
    return pd.concat(
        [
            percent.assign(area=name, percent=percent["value"], suppressed=percent.get("suppressed", False)),
            percent.assign(
                area=t("Lao PDR"),
                percent=percent["national_value"],
                suppressed=percent.get("national_suppressed", False),
            ),
        ],
        ignore_index=True,
    )


# The figure and the tables are made only when not kept under the view yet (components.later).
if len(percent):
    figure = components.figure(
        charts.grouped_bars,
        components.later(province_and_nation),
        x="short_name",
        y="percent",
        series="area",
        unit="percent",
        title=t("{name} vs Lao PDR (indicators in %)", name=name),
        horizontal=True,
        view=context.view(),
    )
    components.chart_with_table(figure, percent, f"{f.province} vs national", label=t("{name} vs national", name=name))


@functools.cache
def table() -> pd.DataFrame:
    """The profile as the grids show it: figures with their units, periods in words, a link to each indicator."""
    return profile.assign(
        province_value=[fmt.value_with_unit(x, u, h) for x, u, h in zip(profile["value"], profile["unit"], own_hidden)],
        national=[
            fmt.value_with_unit(x, u, h) for x, u, h in zip(profile["national_value"], profile["unit"], national_hidden)
        ],
        period=[i18n.period_label(p) if isinstance(p, str) else "—" for p in profile["period"]],
        compared_with_national=profile["compared_with_national"].map(t),
        details=["indicator?" + urlencode({**context.params, "indicator": i}) for i in profile["indicator_id"]],
    )


config = {
    "short_name": st.column_config.TextColumn(t("Indicator"), width="large"),
    "province_value": st.column_config.TextColumn(name),
    "period": st.column_config.TextColumn(t("Period")),
    "national": st.column_config.TextColumn(t("Lao PDR")),
    "compared_with_national": st.column_config.TextColumn(t("Compared with national")),
    "details": st.column_config.LinkColumn(t("Details"), display_text=t("Open ›")),
}
shown_groups = set(profile["group"])
for group, _ in views.AREA_GROUPS:
    if group in shown_groups:
        st.subheader(t(group))
        components.grid_or_phone_table(
            lambda group=group: table()[table()["group"] == group],
            key=f"profile_{group[:12]}",
            grid={"column_order": list(config), "column_config": config},
            phone={
                "short_name": t("Indicator"),
                "province_value": name,
                "national": t("Lao PDR"),
                "compared_with_national": t("Compared with national"),
            },
            view=context.view(),
        )
with st.expander(t("Download the profile")):
    components.table_with_downloads(
        lambda: profile.assign(
            compared_with_national=profile["compared_with_national"].map(t), group=profile["group"].map(t)
        ),
        f"profile {f.province}",
        view=context.view(),
    )

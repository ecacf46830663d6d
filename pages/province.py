"""Province profile: every indicator for one province beside the national figure."""
from urllib.parse import urlencode

import streamlit as st

from dashboard import charts, components, data, format as fmt, views

context = components.start_page(
    "Province profile",
    "How does this province compare with the country on every indicator?")
if context is None:
    st.stop()
f = context.filters
if f.is_national:
    st.info("Choose a province in the sidebar (Province) to see its profile against the national figure.")
    st.stop()

profile = data.province_profile(context.version, f.province, f.sex, f.period)
name = data.province_name(f.province)
counts = profile["compared_with_national"].value_counts()
a, b, c = st.columns(3)
a.metric("Better than national", f"{counts.get('▲ better', 0)} indicators", border=True)
b.metric("Worse than national", f"{counts.get('▼ worse', 0)} indicators", border=True)
c.metric("No data for the province", f"{counts.get('no data', 0)} indicators", border=True)

percent = profile[(profile["unit"] == "percent") & profile["value"].notna()]
if len(percent):
    long = percent.melt(id_vars="short_name", value_vars=["value", "national_value"], var_name="area",
                        value_name="percent")
    long["area"] = long["area"].map({"value": name, "national_value": "Lao PDR"})
    figure = charts.grouped_bars(long, x="short_name", y="percent", series="area", unit="percent",
                                 title=f"{name} vs Lao PDR (indicators in %)")
    figure.update_layout(height=420)
    components.chart_with_table(figure, percent, f"{f.province} vs national")

table = profile.assign(
    province_value=[fmt.value_with_unit(x, u) for x, u in zip(profile["value"], profile["unit"])],
    national=[fmt.value_with_unit(x, u) for x, u in zip(profile["national_value"], profile["unit"])],
    details=["indicator?" + urlencode({**context.params, "indicator": i}) for i in profile["indicator_id"]],
)
config = {"short_name": st.column_config.TextColumn("Indicator", width="large"),
          "province_value": st.column_config.TextColumn(name), "period": st.column_config.TextColumn("Period"),
          "national": st.column_config.TextColumn("Lao PDR"),
          "compared_with_national": st.column_config.TextColumn("Compared with national"),
          "details": st.column_config.LinkColumn("Details", display_text="Open ›")}
for group, _ in views.AREA_GROUPS:
    rows = table[table["group"] == group]
    if len(rows):
        st.subheader(group)
        st.dataframe(rows, column_order=list(config), column_config=config, hide_index=True, width="stretch")
with st.expander("Download the profile"):
    components.table_with_downloads(profile, f"profile {f.province}")

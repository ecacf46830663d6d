"""Payment delays: are grants paid, on time, to whom — by cycle, district, channel and sex."""
import streamlit as st

from dashboard import charts, components, data, format as fmt

context = components.start_page(
    "Payment delays",
    "Are enrolled beneficiaries paid, and paid on time? Where are the backlogs and arrears?",
    show=("period", "province", "sex"))
if context is None:
    st.stop()
f = context.filters
v = context.version
DAYS_LATE_ORDER = ("on or before the due date", "1-15 days", "16-30 days", "31-60 days", "61-90 days",
                   "over 90 days", "not paid")


def latest_row(indicator_id: str, sex: str | None = None):
    rows = data.trend(v, indicator_id, f.province, sex or f.sex).dropna(subset=["value"])
    if f.period:
        rows = rows[rows["period"].str.slice(0, len(f.period)) <= f.period]
    return rows.iloc[-1] if len(rows) else None


never = latest_row("PAY_NEVER_PAID")
# One programme, one rule: the grant's on-time rate and MAF's self-reported one stand side by side, never summed.
ontime = latest_row("PAY_ONTIME")
ontime_maf = latest_row("PAY_ONTIME_MAF")
grace_days = data.parameters(v)["general"]["payment_grace_days"]
median = latest_row("PAY_DELAY_MEDIAN")
arrears = latest_row("PAY_ARREARS_LAK")
lag = latest_row("PAY_FIRST_LAG")

st.markdown("**Mother and Early Childhood Grant** — enrolled beneficiaries and their payments")
a, b, c = st.columns(3)
if never is not None and not fmt.is_missing(never["denominator"]):
    paid = never["denominator"] - never["numerator"]
    a.metric("Paid at least once", f"{fmt.number(paid)} of {fmt.number(never['denominator'])}",
             help=f"enrolled beneficiaries with at least one payment, {never['period']}", border=True)
    b.metric("Never paid", f"{fmt.number(never['numerator'])} persons",
             delta=f"{never['value']:.1f}% of enrolled" if never["unit"] == "percent" else None,
             delta_color="off", border=True)
else:
    a.metric("Paid at least once", fmt.NO_DATA, border=True)
    b.metric("Never paid", fmt.NO_DATA, border=True)
c.metric("Arrears", fmt.value_with_unit(arrears["value"] if arrears is not None else None, "LAK"),
         help="amount due and not yet paid", border=True)
d, e, g, h = st.columns(4)
pending = ontime["pending"] if ontime is not None and not fmt.is_missing(ontime["pending"]) else 0
d.metric(f"Grant paid within {grace_days} days of due date",
         fmt.value_with_unit(ontime["value"] if ontime is not None else None, "percent"),
         delta=f"{fmt.number(pending)} pending (still within {grace_days} days)" if pending else None,
         delta_color="off",
         help=(f"Mother and Early Childhood Grant, {ontime['period']}, as of {fmt.date_text(ontime['as_of_date'])}"
               f" (the ledger's last payment): payments paid "
               f"within {grace_days} days of their due date / payments due whose {grace_days} days have run out"
               if ontime is not None else None), border=True)
e.metric("MAF cash transfer paid on time (MAF's own rule)",
         fmt.value_with_unit(ontime_maf["value"] if ontime_maf is not None else None, "percent"),
         help=(f"{ontime_maf['period']}: payments made on time / payments due, as MAF's return reports them; "
               "MAF's rule is not the grant's, so the two are not added" if ontime_maf is not None else None),
         border=True)
g.metric("Median days late, all grant payments due",
         fmt.at_least(median["value"], "days", median["lower_bound"], median["upper_bound"]) if median is not None
         else fmt.NO_DATA,
         help="unpaid payments count as late as the ledger's date; 'at least' when fewer than half are paid",
         border=True)
h.metric("Enrolment to first payment (median)",
         fmt.at_least(lag["value"], "days", lag["lower_bound"], lag["upper_bound"]) if lag is not None
         else fmt.NO_DATA, border=True)

left, right = st.columns(2)
with left:
    cycles = data.breakdown(v, "PAY_ONTIME", "cycle", f.province, f.sex, f.period)
    cycles = cycles.groupby("cycle", as_index=False).last() if len(cycles) else cycles
    components.chart_with_table(
        charts.bars(cycles.assign(cycle="cycle " + cycles["cycle"].astype(str)), category="cycle", value="value",
                    unit="percent", title="MECG paid on time, by payment cycle", horizontal=False, ranked=False),
        cycles, "on-time rate by cycle")
with right:
    bins = data.supporting(v, "days_late_distribution")
    if not f.is_national:
        bins = bins[bins["province"] == f.province]
    if f.sex != "_T":
        bins = bins[bins["sex"] == f.sex]
    if f.period:
        bins = bins[bins["period"].str.slice(0, len(f.period)) <= f.period]
    distribution = bins.groupby("days_late_bin", as_index=False)["payments"].sum()
    distribution = distribution.assign(order=distribution["days_late_bin"].map(
        {b: i for i, b in enumerate(DAYS_LATE_ORDER)}).fillna(len(DAYS_LATE_ORDER))).sort_values("order").drop(
        columns="order")
    components.chart_with_table(
        charts.bars(distribution, category="days_late_bin", value="payments", unit="payments",
                    title="MECG payments due, by days late", horizontal=False, colour=fmt.OKABE_ITO["orange"],
                    ranked=False),
        distribution, "days late distribution")

left, right = st.columns(2)
with left:
    districts = data.by_district(v, "PAY_NEVER_PAID", f.sex, f.province, f.period)
    named = districts.assign(label=districts["district_name"].fillna(districts["district"]),
                             never_paid=districts["numerator"], enrolled=districts["denominator"])
    components.chart_with_table(
        charts.bars(named, category="label", value="numerator", unit="persons",
                    title="Enrolled beneficiaries never paid, by district", colour=fmt.OKABE_ITO["vermillion"]),
        named.drop(columns=["label"]), "never paid by district")
with right:
    channel = data.breakdown(v, "PAY_ONTIME", "channel", f.province, f.sex, f.period)
    components.chart_with_table(
        charts.grouped_bars(channel, x="period", y="value", series="channel", unit="percent",
                            title="MECG paid on time: digital wallet vs cash"),
        channel, "on-time rate by channel")

left, right = st.columns(2)
with left:
    arrears_trend = data.trend(v, "PAY_ARREARS_LAK", f.province, f.sex)
    components.chart_with_table(
        charts.lines(arrears_trend, x="period", y="value", series=None, unit="LAK", title="Arrears (LAK)"),
        arrears_trend, "arrears")
with right:
    first = data.by_sex(v, "PAY_FIRST_LAG", f.province, f.period)
    long_first = first.melt(id_vars="period", value_vars=["female", "male"], var_name="sex", value_name="days")
    components.chart_with_table(
        charts.grouped_bars(long_first, x="period", y="days", series="sex", unit="days",
                            title="Days from enrolment to first payment (median), by sex",
                            colours={"female": fmt.SEX_COLOURS["Female"], "male": fmt.SEX_COLOURS["Male"]}),
        first, "first payment lag by sex")

ontime_sex = data.by_sex(v, "PAY_ONTIME", f.province, f.period)
components.chart_with_table(
    charts.lines(ontime_sex.melt(id_vars="period", value_vars=["female", "male"], var_name="sex", value_name="value"),
                 x="period", y="value", series="sex", unit="percent", title="Paid on time, women vs men",
                 colours={"female": fmt.SEX_COLOURS["Female"], "male": fmt.SEX_COLOURS["Male"]}),
    ontime_sex, "on-time rate by sex")

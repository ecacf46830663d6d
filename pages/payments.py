"""Payment delays: are grants paid, on time, to whom — by cycle, district, channel and sex."""

import streamlit as st

from dashboard import charts, components, data, format as fmt, i18n, views
from dashboard.i18n import t

context = components.start_page(
    "Payment delays",
    "Are enrolled beneficiaries paid, and paid on time? Where are the backlogs and arrears?",
    show=("period", "province", "sex"),
)
if context is None:
    st.stop()
f = context.filters
v = context.version
DAYS_LATE_ORDER = (
    "on or before the due date",
    "1-15 days",
    "16-30 days",
    "31-60 days",
    "61-90 days",
    "over 90 days",
    "not paid",
)

TILES = ("PAY_NEVER_PAID", "PAY_ONTIME", "PAY_ONTIME_MAF", "PAY_DELAY_MEDIAN", "PAY_ARREARS_LAK", "PAY_FIRST_LAG")

# One programme, one rule: the grant's on-time rate and MAF's self-reported one stand side by side, never summed.
never, ontime, ontime_maf, median, arrears, lag = data.latest_figures(v, TILES, f.province, f.sex, f.period).values()
grace_days = data.parameters(v)["general"]["payment_grace_days"]

st.markdown(t("**Mother and Early Childhood Grant** — enrolled beneficiaries and their payments"))
a, b, c = st.columns(3)
components.mark_hidden(any(views.hidden(row) for row in (never, ontime, ontime_maf, median, arrears, lag)))
if views.hidden(never):
    a.metric(t("Paid at least once"), t(fmt.SUPPRESSED), border=True)
    b.metric(t("Never paid"), t(fmt.SUPPRESSED), border=True)
elif never is not None and not fmt.is_missing(never["denominator"]):
    paid = never["denominator"] - never["numerator"]
    a.metric(
        t("Paid at least once"),
        t("{part} of {whole}", part=fmt.number(paid), whole=fmt.number(never["denominator"])),
        help=t("enrolled beneficiaries with at least one payment, {period}", period=i18n.period_label(never["period"])),
        border=True,
    )
    b.metric(
        t("Never paid"),
        fmt.value_with_unit(never["numerator"], "persons"),
        delta=t("{share}% of enrolled", share=f"{never['value']:.1f}") if never["unit"] == "percent" else None,
        delta_color="off",
        delta_arrow="off",  # a share, not a change: no arrow
        border=True,
    )
else:
    a.metric(t("Paid at least once"), t(fmt.NO_DATA), border=True)
    b.metric(t("Never paid"), t(fmt.NO_DATA), border=True)
c.metric(
    t("Arrears"),
    fmt.value_with_unit(arrears["value"] if arrears is not None else None, "LAK", views.hidden(arrears)),
    help=t("amount due and not yet paid"),
    border=True,
)
d, e, g, h = st.columns(4)
pending = ontime["pending"] if ontime is not None and not fmt.is_missing(ontime["pending"]) else 0
d.metric(
    t("Grant paid within {days} days of due date", days=grace_days),
    fmt.value_with_unit(ontime["value"] if ontime is not None else None, "percent", views.hidden(ontime)),
    delta=t("{count} pending (still within {days} days)", count=fmt.number(pending), days=grace_days)
    if pending
    else None,
    delta_color="off",
    help=t(
        "Mother and Early Childhood Grant, {period}, as of {date} (the ledger's last payment): payments paid "
        "within {days} days of their due date / payments due whose {days} days have run out",
        period=i18n.period_label(ontime["period"]),
        date=fmt.date_text(ontime["as_of_date"]),
        days=grace_days,
    )
    if ontime is not None
    else None,
    border=True,
)
e.metric(
    t("MAF cash transfer paid on time (MAF's own rule)"),
    fmt.value_with_unit(ontime_maf["value"] if ontime_maf is not None else None, "percent", views.hidden(ontime_maf)),
    help=t(
        "{period}: payments made on time / payments due, as MAF's return reports them; "
        "MAF's rule is not the grant's, so the two are not added",
        period=i18n.period_label(ontime_maf["period"]),
    )
    if ontime_maf is not None
    else None,
    border=True,
)
g.metric(
    t("Median days late, all grant payments due"),
    t(fmt.SUPPRESSED)
    if views.hidden(median)
    else fmt.at_least(median["value"], "days", median["lower_bound"], median["upper_bound"])
    if median is not None
    else t(fmt.NO_DATA),
    help=t("unpaid payments count as late as the ledger's date; 'at least' when fewer than half are paid"),
    border=True,
)
h.metric(
    t("Enrolment to first payment (median)"),
    t(fmt.SUPPRESSED)
    if views.hidden(lag)
    else fmt.at_least(lag["value"], "days", lag["lower_bound"], lag["upper_bound"])
    if lag is not None
    else t(fmt.NO_DATA),
    border=True,
)

# Each chart's table is made only when its figure or grid is not kept under the view yet (components.later).


def on_time_by_cycle():
    cycles = data.breakdown(v, "PAY_ONTIME", "cycle", f.province, f.sex, f.period)
    # Each cycle's latest period as it is (groupby.last would skip a hidden figure for an older period's).
    return cycles.sort_values("period").groupby("cycle", as_index=False).tail(1).sort_values("cycle")


def named_cycles(cycles):
    return cycles.assign(cycle=cycles["cycle"].map(lambda c: t("cycle {number}", number=c)))


def days_late_bins():
    bins = data.days_late(v, f.province, f.sex)
    # The chosen period, or the latest, like the tiles above and the meeting pack (not every period up to it).
    shown_period = f.period or (str(bins["period"].max()) if len(bins) else None)
    return (bins[bins["period"].str.startswith(shown_period)] if shown_period else bins), shown_period


def days_late_distribution():
    bins, _ = days_late_bins()
    # A bin with a hidden quarter of a chosen year reads "suppressed": the sum of the rest would give it back.
    distribution = bins.groupby("days_late_bin", as_index=False).agg(
        payments=("payments", "sum"), suppressed=("suppressed", "any")
    )
    distribution["payments"] = distribution["payments"].where(~distribution["suppressed"])
    return (
        distribution.assign(
            order=distribution["days_late_bin"]
            .map({b: i for i, b in enumerate(DAYS_LATE_ORDER)})
            .fillna(len(DAYS_LATE_ORDER))
        )
        .sort_values("order")
        .drop(columns="order")
    )


def named_bins(distribution):
    return distribution.assign(days_late_bin=distribution["days_late_bin"].map(t))


def days_late_subtitle():
    shown_period = days_late_bins()[1]
    return t("payments due in {period}", period=i18n.period_label(shown_period)) if shown_period else None


def never_paid_by_district():
    districts = data.by_district(v, "PAY_NEVER_PAID", f.sex, f.province, f.period)
    return districts.assign(
        label=districts["district_name"].fillna(districts["district"]),
        never_paid=districts["numerator"],
        enrolled=districts["denominator"],
    )


def on_time_by_channel():
    return data.breakdown(v, "PAY_ONTIME", "channel", f.province, f.sex, f.period)


def arrears_trend():
    return data.trend(v, "PAY_ARREARS_LAK", f.province, f.sex)


def first_lag_by_sex():
    return data.by_sex(v, "PAY_FIRST_LAG", f.province, f.period)


def on_time_by_sex():
    return data.by_sex(v, "PAY_ONTIME", f.province, f.period)


later = components.later
left, right = st.columns(2)
with left:
    components.chart_with_table(
        components.figure(
            charts.on_time_by_cycle, later(lambda: named_cycles(on_time_by_cycle())), view=context.view()
        ),
        on_time_by_cycle,
        "on-time rate by cycle",
    )
with right:
    components.chart_with_table(
        components.figure(
            charts.bars,
            later(lambda: named_bins(days_late_distribution())),
            category="days_late_bin",
            value="payments",
            unit="payments",
            title=t("MECG payments due, by days late"),
            subtitle=later(days_late_subtitle),
            colour=fmt.OKABE_ITO["orange"],
            ranked=False,
            view=context.view(),
        ),
        days_late_distribution,
        "days late distribution",
    )

left, right = st.columns(2)
with left:
    components.chart_with_table(
        components.figure(
            charts.bars,
            later(never_paid_by_district),
            category="label",
            value="numerator",
            unit="persons",
            title=t("Enrolled beneficiaries never paid, by district"),
            colour=fmt.OKABE_ITO["vermillion"],
            view=context.view(),
        ),
        lambda: never_paid_by_district().drop(columns=["label"]),
        "never paid by district",
    )
with right:
    components.chart_with_table(
        components.figure(
            charts.grouped_bars,
            later(on_time_by_channel),
            x="period",
            y="value",
            series="channel",
            unit="percent",
            title=t("MECG paid on time: digital wallet vs cash"),
            view=context.view(),
        ),
        on_time_by_channel,
        "on-time rate by channel",
    )

left, right = st.columns(2)
with left:
    components.chart_with_table(
        components.figure(
            charts.lines,
            later(lambda: views.at_or_before(arrears_trend(), f.period)),
            x="period",
            y="value",
            series=None,
            unit="LAK",
            title=t("Arrears (LAK)"),
            view=context.view(),
        ),
        arrears_trend,
        "arrears",
    )
with right:
    components.chart_with_table(
        components.figure(
            charts.grouped_bars,
            later(lambda: charts.by_sex_long(first_lag_by_sex(), "days")),
            x="period",
            y="days",
            series="sex",
            unit="days",
            title=t("Days from enrolment to first payment (median), by sex"),
            colours=charts.SEX_SERIES_COLOURS,
            view=context.view(),
        ),
        first_lag_by_sex,
        "first payment lag by sex",
    )

components.chart_with_table(
    components.figure(
        charts.women_and_men,
        later(on_time_by_sex),
        unit="percent",
        title=t("Paid on time, women vs men"),
        view=context.view(),
    ),
    on_time_by_sex,
    "on-time rate by sex",
)

"""What the meeting pack says: each section's text, tables and charts, read through ``dashboard.data`` as the pages
read them (so the public pack hides exactly what the public views hide) and drawn with ``dashboard.charts`` and
``dashboard.maps``. Every word goes through ``t()``; the result is a ``blocks.Document`` of plain text."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from dashboard import charts, data, format as fmt, i18n, maps, views
from dashboard.i18n import t
from dashboard.pack.blocks import Document, Section
from dashboard.pack.request import PackRequest, period_text
from indicators.supporting import DAYS_LATE_BINS

COVERAGE_AREAS = ("sdg_131", "health_insurance", "social_security", "social_welfare")
MOVERS_SHOWN = 10
DISTRICTS_SHOWN = 15
MATRIX_PERIODS = 4  # quarters of the reporting matrix that fit an A4 page across


def _cell(value, unit, suppressed: bool = False) -> str:
    return fmt.value_with_unit(value, unit, suppressed)


def _true(value) -> bool:
    """A suppression flag as a plain bool (pandas hands back numpy booleans, or NaN where a row has no flag)."""
    return isinstance(value, (bool, np.bool_)) and bool(value)


def _hidden(row, column: str = "suppressed") -> bool:
    return row is not None and _true(row.get(column))


def _flag(frame: pd.DataFrame, column: str = "suppressed") -> list[bool]:
    return [_true(v) for v in frame[column]] if column in frame.columns else [False] * len(frame)


def _in_period(frame: pd.DataFrame, period: str | None) -> pd.DataFrame:
    if not period or "period" not in frame.columns:
        return frame
    return frame[frame["period"].astype(str).str.slice(0, len(period)) <= period]


def _period(value) -> str:
    return i18n.period_label(value) if isinstance(value, str) else "—"


def _span(frame: pd.DataFrame) -> str:
    """' (2020-Q1 – 2022-Q2)': the periods a chart sums over, for its title (a sum of every quarter must not read as
    the latest quarter's figure)."""
    periods = sorted(frame["period"].dropna().astype(str).unique()) if "period" in frame.columns else []
    if not periods:
        return ""
    first, last = i18n.period_label(periods[0]), i18n.period_label(periods[-1])
    return f" ({first})" if first == last else f" ({first} – {last})"


def _period_end(period: str) -> date:
    """The last day of a quarter ('2022-Q2') or a year ('2022')."""
    return pd.Period(period.replace("-", ""), freq="Q" if "Q" in period else "Y").end_time.date()


def _area(request: PackRequest) -> str:
    return data.province_name(request.province)


def _target_text(goal, unit, year, illustrative) -> str:
    if fmt.is_missing(goal):
        return "—"
    text = t(
        "{value} by {year}", value=fmt.value_with_unit(goal, unit), year=int(year) if not fmt.is_missing(year) else ""
    )
    return text + ("\u00a0†" if _true(illustrative) else "")  # no-break space: the dagger never on a line alone


def _change(trend, unit) -> tuple[str, float | None]:
    """The change since the previous period, as the overview's tiles write it, and its size for ranking."""
    text, _unchanged = fmt.change_on_previous(list(trend), unit)
    if text is None:
        return "—", None
    return text, float(trend[-1]) - float(trend[-2])


def _direction(change: float | None, polarity: str, unit: str) -> str:
    """'▲ better' / '▼ worse' / '= no change': the direction in symbol and word, readable in black and white."""
    if change is None:
        return "—"
    if round(change, 1 if unit == "percent" else 0) == 0:
        return "= " + t("no change")
    better = change > 0 if polarity == "higher_is_better" else change < 0
    return "▲ " + t("better") if better else "▼ " + t("worse")


# --- cover and summary ------------------------------------------------------------------------------------------


def meta(request: PackRequest) -> dict:
    info = data.version_info(request.version)
    audience = (
        t("Public edition: small numbers are suppressed, as on the public dashboard.")
        if request.is_public
        else t("Commission edition: figures as computed. Not for circulation outside the Commission.")
    )
    return {
        "lang": request.language,
        "title": t("Social protection meeting pack"),
        "subtitle": t("National Social Protection Commission · SDG 1.3 monitoring"),
        "area": _area(request),
        "cover": [
            [t("Area"), _area(request)],
            [t("Period"), period_text(request)],
            [t("Data version"), request.version],
            [t("Data refreshed"), i18n.date_time_label(info.get("created_at")) if info.get("created_at") else "—"],
            [t("Pack made on"), fmt.date_text(date.today())],
            [t("Audience"), audience],
        ],
        "sample": t(
            "**Sample data** — these figures come from the bundled demonstration returns, not from the "
            "ministries' real data. Do not quote them."
        ).replace("**", "")
        if data.is_sample_data(request.version)
        else None,
        "contents": t("Contents"),
        "page": t("Page"),
        "footer": f"{t('Social protection meeting pack')} · {_area(request)} · {period_text(request)} · "
        f"{request.version}",
    }


# One status of each kind, in the order a reader meets them (fmt.status_label gives its symbol and words).
STATUS_KINDS = ("achieved", "on_track", "moderate", "limited", "deterioration", "no_target")


def about(request: PackRequest, card: pd.DataFrame) -> dict:
    """The "about this pack" block beside the contents: what the pack is, and a key to its symbols and words."""
    key = [
        [t("Status against target"), " · ".join(fmt.status_label(kind) for kind in STATUS_KINDS)],
        [
            t("Direction"),
            t(
                "Change since the previous quarter: ▲ better, ▼ worse, = no change (better is closer to "
                "what the indicator aims for)."
            ),
        ],
        [t("{points} pts", points="+1.0"), t("percentage points: the difference between two percentages.")],
    ]
    if card["illustrative_targets"].fillna(False).astype(bool).any():
        key.append(
            ["†", t("Targets marked † are illustrative: the Commission has not yet set them (parameters file).")]
        )
    key.append(
        [
            "⚑",
            t(
                "A province below a minimum on a part of the Provincial Coordination Index (the reasons are "
                "listed beside the ranking)."
            ),
        ]
    )
    key.append([t(fmt.NO_DATA), t("No return holds this figure for the period; “—”: not applicable.")])
    if request.is_public:
        key.append(
            [
                t(fmt.SUPPRESSED),
                t(
                    "Small numbers (1 to {limit}) and the figures that would give them back are suppressed, as on "
                    "the public dashboard; a true zero is shown as 0.",
                    limit=data.threshold() - 1,
                ),
            ]
        )
    return {
        "title": t("About this pack"),
        "text": [
            t(
                "This pack holds the SDG 1.3 monitor for {area}, {period}, from data version {version}: the figures "
                "the dashboard shows this audience, in one document for the Commission's meeting.",
                area=_area(request),
                period=period_text(request),
                version=request.version,
            ),
            t("Method notes at the end give each indicator's numerator, denominator, sources and as-of date."),
        ],
        "key_title": t("How to read it"),
        "key": key,
    }


def summary(doc: Document, request: PackRequest, card: pd.DataFrame) -> None:
    section = doc.section(t("Summary"))
    section.text(
        t(
            "{area}, {period}: the headline figures, their status against target, and what moved since the "
            "previous quarter.",
            area=_area(request),
            period=period_text(request),
        )
    )
    rows = card.set_index("indicator_id")
    tiles = []
    for indicator_id in views.HEADLINES:
        if indicator_id not in rows.index:
            continue
        row = rows.loc[indicator_id]
        change, _ = _change(row["trend"], row["unit"])
        tiles.append(
            {
                "label": str(row["short_name"]),
                "value": _cell(row["value"], row["unit"], _hidden(row)),
                "status": fmt.status_label(row["status"]),
                "period": _period(row["period"]),
                "change": change,
            }
        )
    section.tiles(tiles)
    counts = card["status"].map(fmt.status_label).value_counts()
    section.text(t("Against target:") + " " + " · ".join(f"{label}: {n}" for label, n in counts.items()))
    if card["illustrative_targets"].fillna(False).astype(bool).any():
        section.note(t("Targets marked † are illustrative: the Commission has not yet set them (parameters file)."))

    section.subheading(t("What moved since the previous quarter"))
    moves = []
    for _, row in card.iterrows():
        text, size = _change(row["trend"], row["unit"])
        if size is None or _hidden(row):
            continue
        scale = max(abs(float(row["trend"][-2])), 1e-9)
        moves.append((abs(size) / scale, row, text, size))
    moves.sort(key=lambda m: -m[0])
    shown = [m for m in moves if _direction(m[3], m[1]["polarity"], m[1]["unit"]) != "= " + t("no change")]
    if shown:
        section.table(
            [t("Indicator"), t("Latest value"), t("Period"), t("Change"), t("Direction")],
            [
                [
                    row["short_name"],
                    _cell(row["value"], row["unit"]),
                    _period(row["period"]),
                    text,
                    _direction(size, row["polarity"], row["unit"]),
                ]
                for _, row, text, size in shown[:MOVERS_SHOWN]
            ],
            widths=[2.9, 1.3, 1.1, 1.8, 1],
            numeric={1, 3},
            caption=t(
                "The {count} largest changes relative to the previous value.", count=min(MOVERS_SHOWN, len(shown))
            ),
        )
    else:
        section.note(t("No indicator changed since the previous period."))


def scorecard(doc: Document, request: PackRequest, card: pd.DataFrame) -> None:
    section = doc.section(t("Scorecard: every indicator against its target"))
    rows, groups = [], []
    for group, _ in views.AREA_GROUPS:
        part = card[card["group"] == group]
        for _, row in part.iterrows():
            groups.append(t(group))
            rows.append(
                [
                    row["short_name"],
                    _cell(row["value"], row["unit"], _hidden(row)),
                    _period(row["period"]),
                    _target_text(row["target_value"], row["unit"], row["target_year"], row["illustrative_targets"]),
                    fmt.status_label(row["status"]),
                    _change(row["trend"], row["unit"])[0],
                ]
            )
    section.table(
        [t("Indicator"), t("Latest value"), t("Period"), t("Target"), t("Status against target"), t("Change")],
        rows,
        # Target and change on one line ("45 days by 2025 †", "no change on previous"): 43 rows then fit a page.
        # Lao words run longer ("ໄຕມາດ 2/2022", "ພາຍໃນປີ"): the indicator's name gives them room.
        widths=[2.7, 1.15, 0.85, 1.45, 1.75, 1.75] if request.language != "lo" else [2.2, 1.1, 1.15, 1.8, 1.75, 1.9],
        numeric={1},
        groups=groups,
    )


def province_profile(doc: Document, request: PackRequest) -> None:
    profile = data.province_profile(request.version, request.province, "_T", request.period)
    name = _area(request)
    section = doc.section(t("{name} compared with Lao PDR", name=name))
    compared = profile["compared_with_national"]  # "suppressed" where either figure is hidden (the views say so)
    counts = compared.value_counts()
    suppressed = counts.get(fmt.SUPPRESSED, 0)
    section.text(
        t(
            "Better than national: {better} · worse: {worse} · no data for the province: {missing}.",
            better=counts.get("▲ better", 0),
            worse=counts.get("▼ worse", 0),
            missing=counts.get("no data", 0),
        )
        + (f" {t(fmt.SUPPRESSED).capitalize()}: {suppressed}." if suppressed else "")
    )
    rows, groups = [], []
    for group, _ in views.AREA_GROUPS:
        for index, row in profile[profile["group"] == group].iterrows():
            groups.append(t(group))
            rows.append(
                [
                    row["short_name"],
                    _cell(row["value"], row["unit"], _hidden(row)),
                    _period(row["period"]),
                    _cell(row["national_value"], row["unit"], _hidden(row, "national_suppressed")),
                    t(compared[index]),
                ]
            )
    section.table(
        [t("Indicator"), name, t("Period"), t("Lao PDR"), t("Compared with national")],
        rows,
        widths=[3.1, 1.2, 1.1, 1.3, 1.6],
        numeric={1, 3},
        groups=groups,
    )


def _parts(hidden: bool, count) -> str:
    """A numerator or denominator: 'suppressed' where the row is hidden and the count with it."""
    return t(fmt.SUPPRESSED) if hidden and fmt.is_missing(count) else fmt.number(count)


def _by_province_table(section: Section, provinces: pd.DataFrame, unit: str, caption: str) -> None:
    """The table behind a map or a ranking of the 18 provinces (``data.by_province``)."""
    section.table(
        [t("Province"), t("Period"), t("Value"), t("Numerator"), t("Denominator")],
        [
            [name, _period(period), _cell(value, unit, h), _parts(h, num), _parts(h, den)]
            for name, period, value, num, den, h in zip(
                provinces["province_name"],
                provinces["period"],
                provinces["value"],
                provinces["numerator"],
                provinces["denominator"],
                _flag(provinces),
            )
        ],
        widths=[2, 1, 1, 1.3, 1.3],
        numeric={2, 3, 4},
        caption=caption,
    )


# --- coverage ---------------------------------------------------------------------------------------------------


def coverage(doc: Document, request: PackRequest) -> None:
    catalogue = data.catalogue(request.version)
    entries = catalogue[catalogue["area"].isin(COVERAGE_AREAS)]
    section = doc.section(t("Coverage"))
    section.text(t("Who is covered by social protection, in which province, and are women and men covered alike?"))
    headline = entries.set_index("indicator_id").loc["SI_COV_BENFTS"]
    unit = headline["unit"]
    provinces = data.by_province(request.version, "SI_COV_BENFTS", "_T", request.period)
    highlight = None if request.is_national else request.province
    figure, kind = maps.province_map(
        provinces, unit=unit, title=t("{name} by province", name=headline["short_name"]), highlight=highlight
    )
    doc.chart(
        section,
        "coverage_map",
        figure,
        caption=t(maps.ATTRIBUTION)
        + ("" if kind == "choropleth" else t(" — boundary file unavailable: tile grid shown")),
    )
    _by_province_table(section, provinces, unit, t("{name} by province", name=headline["short_name"]))
    trend = _in_period(data.trend(request.version, "SI_COV_BENFTS", request.province, "_T"), request.period)
    gap = data.by_sex(request.version, "SI_COV_BENFTS", request.province, request.period)
    doc.chart(
        section,
        "coverage_trend",
        charts.lines(
            trend,
            x="period",
            y="value",
            series=None,
            unit=unit,
            title=t("Trend (both sexes)"),
            target=headline.get("target_2030"),
            target_year=2030,  # the catalogue's 2030 goal, as the coverage page draws it
        ),
    )
    # Women and men as the pages draw them: a figure hidden from the public reads "suppressed", never a gap.
    doc.chart(section, "coverage_gap", charts.women_and_men(gap, unit=unit, title=t("Gender gap: women vs men")))
    flags = {f"{sex}_suppressed": _flag(gap, f"{sex}_suppressed") for sex in ("female", "male")}
    over_time = trend.assign(suppressed=_flag(trend))[["period", "value", "suppressed"]].merge(
        gap[["period", "female", "male"]].assign(**flags), on="period", how="left"
    )
    section.table(
        [t("Period"), t("Both sexes"), t("Women and girls"), t("Men and boys")],
        [
            [_period(p), _cell(v, unit, h), _cell(w, unit, _true(wh)), _cell(m, unit, _true(mh))]
            for p, v, h, w, m, wh, mh in over_time[
                ["period", "value", "suppressed", "female", "male", "female_suppressed", "male_suppressed"]
            ].itertuples(index=False)
        ],
        widths=[1, 1, 1, 1],
        numeric={1, 2, 3},
        caption=t("{name}: trend and gender gap", name=headline["short_name"]),
    )
    rows = []
    # One cut of the reader's table (data.values: this audience's figures) for the area's headline rows, shaped per
    # indicator by the pages' own views: 14 indicators x 2 views over the whole table took seconds.
    values = data.values(request.version)
    area_rows = values[
        (values["province"] == request.province)
        & values["district"].isna()
        & (values["breakdown"] == views.TOTAL)
        & values["indicator_id"].isin(entries["indicator_id"])
    ]
    for indicator_id, entry in entries.set_index("indicator_id").iterrows():
        series = views.trend(area_rows, province=request.province, sex="_T", indicator_id=indicator_id)
        series = _in_period(series, request.period)
        shown = series[series["value"].notna() | pd.Series(_flag(series), index=series.index)]
        last = shown.iloc[-1] if len(shown) else None
        sexes = views.by_sex(area_rows, indicator_id=indicator_id, province=request.province, period=request.period)
        sexes = sexes[sexes["period"] == last["period"]] if last is not None else sexes.iloc[0:0]
        sex_row = sexes.iloc[0] if len(sexes) else None
        rows.append(
            [
                entry["short_name"],
                _period(last["period"]) if last is not None else "—",
                _cell(last["value"], entry["unit"], _hidden(last)) if last is not None else t(fmt.NO_DATA),
                _cell(sex_row["female"], entry["unit"], _hidden(sex_row, "female_suppressed"))
                if sex_row is not None
                else "—",
                _cell(sex_row["male"], entry["unit"], _hidden(sex_row, "male_suppressed"))
                if sex_row is not None
                else "—",
                _cell(sex_row["female_to_male_ratio"], "ratio") if sex_row is not None else "—",
            ]
        )
    section.table(
        [
            t("Indicator"),
            t("Period"),
            t("Both sexes"),
            t("Women and girls"),
            t("Men and boys"),
            t("Female / male ratio"),
        ],
        rows,
        widths=[3, 1, 1.1, 1.1, 1.1, 1.1],
        numeric={2, 3, 4, 5},
        caption=t("Coverage indicators, {area}", area=_area(request)),
    )


# --- payments ---------------------------------------------------------------------------------------------------


def _latest(request: PackRequest, indicator_id: str):
    rows = _in_period(data.trend(request.version, indicator_id, request.province, "_T"), request.period)
    rows = rows[rows["value"].notna() | pd.Series(_flag(rows), index=rows.index)]
    return rows.iloc[-1] if len(rows) else None


def payments(doc: Document, request: PackRequest) -> None:
    section = doc.section(t("Payment delays"))
    section.text(t("Are enrolled beneficiaries paid, and paid on time? Where are the backlogs and arrears?"))
    catalogue = data.catalogue(request.version).set_index("indicator_id")
    delivery = catalogue[catalogue["area"] == "delivery"]
    rows = []
    for indicator_id, entry in delivery.iterrows():
        row = _latest(request, indicator_id)
        value = (
            t(fmt.SUPPRESSED)
            if row is not None and _hidden(row)
            else fmt.at_least(row["value"], entry["unit"], row["lower_bound"], row["upper_bound"])
            if row is not None
            else t(fmt.NO_DATA)
        )
        rows.append(
            [
                entry["short_name"],
                value,
                _period(row["period"]) if row is not None else "—",
                fmt.date_text(row["as_of_date"]) if row is not None else "—",
            ]
        )
    section.table(
        [t("Indicator"), t("Latest value"), t("Period"), t("As of")],
        rows,
        widths=[3.2, 1.4, 1, 1.4],
        numeric={1},
        caption=t("Benefit delivery — payments"),
    )

    cycles = data.breakdown(request.version, "PAY_ONTIME", "cycle", request.province, "_T", request.period)
    # Each cycle's latest period as it is, as the payments page reads it (groupby.last skipped a hidden figure and
    # showed an older period's number instead).
    cycles = cycles.sort_values("period").groupby("cycle", as_index=False).tail(1).sort_values("cycle")
    if len(cycles):
        labelled = cycles.assign(cycle=cycles["cycle"].map(lambda c: t("cycle {number}", number=c)))
        doc.chart(
            section,
            "payments_cycles",
            charts.on_time_by_cycle(labelled),
        )
        section.table(
            [t("Payment cycle"), t("Period"), t("Value"), t("Numerator"), t("Denominator")],
            [
                [c, _period(p), _cell(v, "percent", h), _parts(h, n), _parts(h, d)]
                for c, p, v, n, d, h in zip(
                    labelled["cycle"],
                    labelled["period"],
                    labelled["value"],
                    labelled["numerator"],
                    labelled["denominator"],
                    _flag(labelled),
                )
            ],
            widths=[1.5, 1, 1, 1.2, 1.2],
            numeric={2, 3, 4},
            caption=t("MECG paid on time, by payment cycle"),
        )

    # The same table the payments page reads: for the public, cut from the one public table (a hidden count is null
    # and reads "suppressed", never a smaller sum).
    bins = data.days_late(request.version, request.province, "_T")
    period = request.period or (bins["period"].max() if len(bins) else None)
    bins = bins[bins["period"] == period]
    if len(bins):
        distribution = bins[["days_late_bin", "payments", "suppressed"]].copy()
        distribution["order"] = distribution["days_late_bin"].map({b: i for i, b in enumerate(DAYS_LATE_BINS)})
        distribution = distribution.sort_values("order").drop(columns="order")
        title = t("MECG payments due, by days late") + f" ({i18n.period_label(period)})"
        doc.chart(
            section,
            "payments_days_late",
            charts.bars(
                distribution.assign(days_late_bin=distribution["days_late_bin"].map(t)),
                category="days_late_bin",
                value="payments",
                unit="payments",
                title=title,
                colour=fmt.OKABE_ITO["orange"],
                ranked=False,
            ),
        )
        section.table(
            [t("Days late"), t("Payments due")],
            [
                [t(b), t(fmt.SUPPRESSED) if h else fmt.number(p)]
                for b, p, h in zip(distribution["days_late_bin"], distribution["payments"], distribution["suppressed"])
            ],
            widths=[2, 1],
            numeric={1},
            caption=title,
        )

    channel = data.breakdown(request.version, "PAY_ONTIME", "channel", request.province, "_T", request.period)
    if len(channel):
        channel = channel.assign(channel=channel["channel"].map(charts.category_label))
        doc.chart(
            section,
            "payments_channel",
            charts.grouped_bars(
                channel,
                x="period",
                y="value",
                series="channel",
                unit="percent",
                title=t("MECG paid on time: digital wallet vs cash"),
            ),
        )
        section.table(
            [t("Period"), t("Channel"), t("Value"), t("Numerator"), t("Denominator")],
            [
                [_period(p), c, _cell(v, "percent", h), _parts(h, n), _parts(h, d)]
                for p, c, v, n, d, h in zip(
                    channel["period"],
                    channel["channel"],
                    channel["value"],
                    channel["numerator"],
                    channel["denominator"],
                    _flag(channel),
                )
            ],
            widths=[1, 1, 1, 1.2, 1.2],
            numeric={2, 3, 4},
            caption=t("MECG paid on time: digital wallet vs cash"),
        )

    districts = data.by_district(request.version, "PAY_NEVER_PAID", "_T", request.province, request.period)
    if len(districts):
        worst = districts.sort_values("numerator", ascending=False, na_position="last").head(DISTRICTS_SHOWN)
        section.table(
            [t("District"), t("Province"), t("Period"), t("Never paid"), t("Enrolled"), t("Share")],
            [
                [
                    d if isinstance(d, str) else code,
                    data.province_name(p),
                    _period(per),
                    t(fmt.SUPPRESSED) if h and fmt.is_missing(n) else fmt.number(n),
                    t(fmt.SUPPRESSED) if h and fmt.is_missing(e) else fmt.number(e),
                    _cell(v, "percent", h),
                ]
                for d, code, p, per, n, e, v, h in zip(
                    worst["district_name"],
                    worst["district"],
                    worst["province"],
                    worst["period"],
                    worst["numerator"],
                    worst["denominator"],
                    worst["value"],
                    _flag(worst),
                )
            ],
            widths=[1.8, 1.6, 1, 1, 1, 1],
            numeric={3, 4, 5},
            caption=t(
                "Enrolled beneficiaries never paid: the {count} districts with the most (of {total})",
                count=len(worst),
                total=len(districts),
            ),
        )

    arrears = _in_period(data.trend(request.version, "PAY_ARREARS_LAK", request.province, "_T"), request.period)
    if arrears["value"].notna().any():
        doc.chart(
            section,
            "payments_arrears",
            charts.lines(arrears, x="period", y="value", series=None, unit="LAK", title=t("Arrears (LAK)")),
        )
        section.table(
            [t("Period"), t("Arrears")],
            [[_period(p), _cell(v, "LAK", h)] for p, v, h in zip(arrears["period"], arrears["value"], _flag(arrears))],
            widths=[1, 2],
            numeric={1},
            caption=t("Arrears (LAK)"),
        )


# --- coordination -----------------------------------------------------------------------------------------------


def coordination(doc: Document, request: PackRequest) -> None:
    section = doc.section(t("Coordination"))
    section.text(
        t("Is the Commission meeting and hearing from every ministry and province? Which provinces need support?")
    )
    meetings = _in_period(data.supporting(request.version, "meetings"), request.period)
    if not request.is_national:
        meetings = meetings[meetings["province"] == request.province]
    by_level = (
        meetings.assign(level=meetings["level"].str.capitalize().map(t))
        .groupby("level", as_index=False)[
            ["planned", "held", "members_expected", "members_present", "at_designated_level"]
        ]
        .sum()
    )
    meetings_title = t("Commission meetings: planned vs held") + _span(meetings)
    if len(by_level):
        held_long = by_level.melt(
            id_vars="level", value_vars=["planned", "held"], var_name="meetings", value_name="count"
        )
        held_long["meetings"] = held_long["meetings"].map(t)
        doc.chart(
            section,
            "coordination_meetings",
            charts.grouped_bars(
                held_long,
                x="level",
                y="count",
                series="meetings",
                unit="meetings",
                title=meetings_title,
            ).update_yaxes(title=t("meetings"), ticksuffix=""),
        )
        section.table(
            [
                t("Level"),
                t("Planned"),
                t("Held"),
                t("Members expected"),
                t("Members present"),
                t("At the designated level"),
            ],
            [
                [lvl, fmt.number(p), fmt.number(h), fmt.number(e), fmt.number(pr), fmt.number(d)]
                for lvl, p, h, e, pr, d in by_level.itertuples(index=False)
            ],
            widths=[1.4, 1, 1, 1.2, 1.2, 1.4],
            numeric={1, 2, 3, 4, 5},
            caption=meetings_title,
        )

    funnel_rows = _in_period(data.referral_funnel(request.version, request.province), request.period)
    if len(funnel_rows):
        totals = [funnel_rows[c].sum(skipna=False) for c in ("made", "completed", "feedback_returned")]
        stages = [t("Referrals made"), t("Completed"), t("Feedback returned")]
        # As the coordination page draws it: a sum over a hidden quarter is unknown and reads "suppressed".
        hidden = any(_flag(funnel_rows))
        funnel_stages = pd.DataFrame(
            {"stage": stages, "count": totals, "suppressed": [hidden and fmt.is_missing(v) for v in totals]}
        )
        doc.chart(
            section,
            "coordination_funnel",
            charts.funnel(funnel_stages, title=t("Referral funnel") + _span(funnel_rows)),
        )
        section.table(
            [t("Period"), *stages],
            [
                [_period(p)] + [t(fmt.SUPPRESSED) if h and fmt.is_missing(v) else fmt.number(v) for v in (m, c, f)]
                for p, m, c, f, h in zip(
                    funnel_rows["period"],
                    funnel_rows["made"],
                    funnel_rows["completed"],
                    funnel_rows["feedback_returned"],
                    _flag(funnel_rows),
                )
            ],
            widths=[1, 1, 1, 1],
            numeric={1, 2, 3},
            caption=t("Referral funnel"),
        )

    grievances = data.by_province(request.version, "COORD_GRIEVANCE_TIMELY", "_T", request.period)
    if grievances["value"].notna().any():
        doc.chart(
            section,
            "coordination_grievances",
            charts.bars(
                grievances,
                category="province_name",
                value="value",
                unit="percent",
                title=t("Grievances resolved in time, by province"),
                highlight=None if request.is_national else _area(request),
            ),
        )
        _by_province_table(section, grievances, "percent", t("Grievances resolved in time, by province"))

    roadmap = data.supporting(request.version, "roadmap")
    # An action not done is late only once its date has passed, at the end of the pack's period.
    latest = request.period or (data.periods(request.version) or [None])[0]
    as_of = _period_end(latest) if latest else date.today()
    section.subheading(t("NSPS roadmap actions"))
    section.table(
        [t("Action"), t("Description"), t("Responsible"), t("Due"), t("Done"), t("On time")],
        [
            [
                r.action_id,
                r.description,
                t(r.responsible_ministry),
                fmt.date_text(r.due_date),
                fmt.date_text(r.completed_date) if not pd.isna(r.completed_date) else "—",
                "✔ " + t("yes")
                if _true(r.on_time)
                else t("not yet due")
                if pd.isna(r.completed_date) and not pd.isna(r.due_date) and pd.Timestamp(r.due_date).date() > as_of
                else "✘ " + t("no")
                if r.on_time is not None and not fmt.is_missing(r.on_time)
                else "—",
            ]
            for r in roadmap.sort_values("due_date").itertuples(index=False)
        ],
        widths=[0.8, 3.1, 1.1, 1.3, 1.3, 1.0],
    )


def pci(doc: Document, request: PackRequest) -> None:
    section = doc.section(t("Provincial Coordination Index"))
    table = _in_period(data.supporting(request.version, "pci"), request.period)
    table = table[table["province"] != views.NATIONAL]
    if table.empty:
        section.note(t("no data"))
        return
    latest = table[table["period"] == table["period"].max()]
    named = latest.assign(province_name=latest["province"].map(data.province_name))
    named = named.assign(
        label=[f"⚑ {n}" if _true(flag) else n for n, flag in zip(named["province_name"], named["flagged"])]
    )
    period = i18n.period_label(latest["period"].max())
    doc.chart(
        section,
        "pci_ranking",
        charts.bars(
            named,
            category="label",
            value="score",
            unit="score",
            title=t("Provincial Coordination Index {period} (⚑ = below a minimum)", period=period),
            flag="flagged",
            suppressed="score_suppressed",
            highlight=None if request.is_national else f"⚑ {_area(request)}",
        ),
    )
    flagged = named[named["flagged"].fillna(False).astype(bool)]
    section.text(
        t(
            "**⚑ Flagged: {count} of {total} provinces** — {names}",
            count=len(flagged),
            total=len(named),
            names=", ".join(flagged["province_name"]),
        ).replace("**", "")
    )
    ranked = named.sort_values("score", ascending=False, na_position="last")
    section.table(
        [t("Rank"), t("Province"), t("Score"), t("Flagged"), t("Why")],
        [
            [
                str(rank),
                r.province_name,
                _cell(r.score, "score", _true(getattr(r, "score_suppressed", False))),
                "⚑ " + t("yes") if _true(r.flagged) else "—",
                i18n.phrases_text(r.reasons) if isinstance(r.reasons, str) else "",
            ]
            for rank, r in enumerate(ranked.itertuples(index=False), start=1)
        ],
        widths=[0.5, 1.4, 0.7, 0.7, 5],
        numeric={0, 2},
        caption=t("Provincial Coordination Index {period} (⚑ = below a minimum)", period=period),
    )


# --- returns missing or late ------------------------------------------------------------------------------------


def returns(doc: Document, request: PackRequest) -> None:
    section = doc.section(t("Returns missing or late"))
    summary = data.reporting_summary(request.version)
    period = request.period or data.periods(request.version)[0]
    # The chosen quarter, and the year it belongs to for yearly sources.
    wanted = summary[summary["period"].isin([period, period[:4]])]
    if not request.is_national:
        coverage_rows = data.reporting_coverage(request.version)
        coverage_rows = coverage_rows[
            coverage_rows["period"].isin([period, period[:4]]) & (coverage_rows["province"] == request.province)
        ]
        section.table(
            [t("Source"), t("Period"), t("Status"), t("Districts reported")],
            [
                [
                    t(r.source),
                    _period(r.period),
                    t(r.status),
                    "—"
                    if pd.isna(r.districts_expected)
                    else f"{fmt.number(r.districts_reported)} / {fmt.number(r.districts_expected)}",
                ]
                for r in coverage_rows.itertuples(index=False)
            ],
            widths=[2, 1, 1.4, 1.4],
            caption=t("Who has reported for {period}: {area}", period=i18n.period_label(period), area=_area(request)),
            empty=t("no data"),
        )
    else:
        lacking = wanted[(wanted["missing"] > 0) | (wanted["partly_covered"] > 0)]
        names = data.province_names()
        section.table(
            [t("Source"), t("Period"), t("Covered"), t("Partly covered"), t("Missing"), t("Which provinces")],
            [
                [
                    t(r.source),
                    _period(r.period),
                    fmt.number(r.covered),
                    fmt.number(r.partly_covered),
                    fmt.number(r.missing),
                    ", ".join(
                        names.get(code.strip(), code.strip())
                        for code in str(r.missing_provinces or "").split(",")
                        if code.strip()
                    )
                    + ("; " if r.missing_provinces and r.partly_covered_provinces else "")
                    + (
                        i18n.phrases_text(r.partly_covered_provinces, separator=", ")
                        if r.partly_covered_provinces
                        else ""
                    ),
                ]
                for r in lacking.itertuples(index=False)
            ],
            widths=[1.5, 0.8, 0.8, 0.8, 0.8, 3.5],
            numeric={2, 3, 4},
            caption=t(
                "Sources with provinces missing or partly reported for {period} ({count} of {total} sources complete)",
                period=i18n.period_label(period),
                count=len(wanted) - len(lacking),
                total=len(wanted),
            ),
            empty=t("Every source has reported for every province for {period}.", period=i18n.period_label(period)),
        )
    matrix = data.supporting(request.version, "reporting_matrix")
    late = matrix[(matrix["period"] == period) & matrix["status"].isin(["late", "missing"])]
    if not request.is_national:
        late = late[(late["sender_type"] == "ministry") | (late["province"] == request.province)]
    section.table(
        [t("Sender"), t("Status"), t("Due"), t("Received")],
        [
            [
                data.province_name(r.province)
                if r.sender_type == "province" and isinstance(r.province, str)
                else t(r.sender),
                fmt.reporting_label(r.status),
                fmt.date_text(r.due_date),
                fmt.date_text(r.received_date) if not pd.isna(r.received_date) else "—",
            ]
            for r in late.sort_values(["status", "sender_type", "sender"]).itertuples(index=False)
        ],
        widths=[2.5, 1.2, 1.4, 1.4],
        caption=t("Returns to the Secretariat late or missing for {period}", period=i18n.period_label(period)),
        empty=t("No return to the Secretariat is late or missing for {period}.", period=i18n.period_label(period)),
    )
    recent = matrix[matrix["period"] <= period]
    recent = recent[recent["period"].isin(sorted(recent["period"].unique())[-MATRIX_PERIODS:])]
    ministries = recent[recent["sender_type"] == "ministry"].assign(sender=lambda f: f["sender"].map(t))
    if len(ministries):
        doc.chart(
            section,
            "returns_matrix",
            charts.reporting_matrix(ministries, row="sender", title=t("Returns: ✔ on time · ◐ late · ✘ missing")),
        )


# --- method notes -----------------------------------------------------------------------------------------------


def method_notes(doc: Document, request: PackRequest, card: pd.DataFrame) -> None:
    section = doc.section(t("Method notes"), compact=True)
    section.note(
        t(maps.ATTRIBUTION) + ". " + t("Boundaries are for statistical display and imply no position on any border.")
    )
    if request.is_public:
        section.note(
            t(
                "Small numbers (1 to {limit}) and the figures that would give them back are suppressed, as on the "
                "public dashboard; a true zero is shown as 0.",
                limit=data.threshold() - 1,
            )
        )
    catalogue = data.catalogue(request.version).set_index("indicator_id")
    as_of = card.set_index("indicator_id")["as_of_date"]
    items = []
    for indicator_id, entry in catalogue.iterrows():
        sources = entry["sources"]
        items.append(
            {
                "title": f"{entry['long_name']} ({indicator_id})",
                "fields": [
                    [t("Numerator"), str(entry["numerator_label"] or "—")],
                    [
                        t("Denominator"),
                        str(entry["denominator_label"] or "—") if isinstance(entry["denominator_label"], str) else "—",
                    ],
                    [t("Sources"), ", ".join(t(s) for s in (list(sources) if sources is not None else []))],
                    [t("As of"), fmt.date_text(as_of.get(indicator_id))],
                ],
                # Notes mark parameter names as code (`payment_grace_days`) for the pages' Markdown; on paper, plain.
                "text": str(entry["method_note"] or "").replace("`", ""),
            }
        )
    section.notes(items)


def document(request: PackRequest) -> Document:
    """The whole pack for ``request`` (to be called inside its audience and language)."""
    card = data.scorecard(request.version, request.province, "_T", request.period)
    doc = Document({**meta(request), "about": about(request, card)})
    summary(doc, request, card)
    scorecard(doc, request, card)
    if not request.is_national:
        province_profile(doc, request)
    coverage(doc, request)
    payments(doc, request)
    coordination(doc, request)
    pci(doc, request)
    returns(doc, request)
    method_notes(doc, request, card)
    return doc

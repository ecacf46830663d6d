"""What a catalogue entry *says*: the ``Indicator`` declaration.

An entry gives SQL over the warehouse views (docs/DESIGN.md §3) that yields rows at the finest grain it supports; the
engine (``indicators.engine``) sums them at every level with GROUPING SETS, so every province, district, sex and
breakdown is computed by the same query plan.

``numerator_sql`` yields the columns
    period, province, district, sex, <each name in ``breakdowns``>, and
    - ``numerator`` (kinds ratio, count, amount), plus ``denominator`` when ``denominator_sql`` is None (same grain);
    - ``observation``, ``paid`` and ``observations`` (kind statistic): days, whether the event (a payment) happened
      or the case is still open at that many days, and how many observations the row stands for (1 per record, or
      a count when the SQL reads cells already added up, such as ``ind_mecg_payment_cells``) - summarised by
      ``statistic`` at ``quantile``; the engine counts the observations per day at every level once, and entries
      with the same SQL share them;
    - ``lower_numerator``, ``upper_numerator`` when ``bounded`` (values only bounded, e.g. overlap of aggregates).
    - ``pending`` when ``pending_label`` is set (cases not yet due for judgement on the as-of date).
``denominator_sql`` (optional) yields period, province, district, sex, <each name in ``denominator_breakdowns``>,
``denominator``. A breakdown the denominator lacks shares the denominator of its total (e.g. health insurance members
by scheme over the whole population). Columns an entry does not have are written as NULL.

SQL may use the helper views and macros of ``indicators.sql_helpers`` and ``getvariable('<parameter>')``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Area = Literal[
    "sdg_131", "health_insurance", "social_security", "social_welfare", "financing", "delivery", "coordination"
]
AREAS: tuple[str, ...] = (
    "sdg_131",
    "health_insurance",
    "social_security",
    "social_welfare",
    "financing",
    "delivery",
    "coordination",
)
Unit = Literal["percent", "persons", "LAK", "days", "score", "ratio"]
UNITS: tuple[str, ...] = ("percent", "persons", "LAK", "days", "score", "ratio")
Kind = Literal["ratio", "count", "amount", "statistic", "index"]
Polarity = Literal["higher_is_better", "lower_is_better"]
Frequency = Literal["quarterly", "yearly"]
DISAGGREGATIONS: tuple[str, ...] = ("province", "district", "sex")

# Estimators of kind statistic: the Kaplan-Meier quantile of ``observation`` days, ``paid`` FALSE being censored.
STATISTICS: tuple[str, ...] = ("survival_quantile",)

# Ratios are shown as percent (x100); scores and plain ratios as they are.
SCALE = {"percent": 100.0, "ratio": 1.0, "score": 1.0}


@dataclass(frozen=True)
class Indicator:
    id: str
    short_name: str
    long_name: str
    area: Area
    unit: Unit
    polarity: Polarity
    kind: Kind
    frequency: Frequency
    sources: tuple[str, ...]  # contract names (warehouse tables) read
    numerator_label: str
    denominator_label: str | None
    method_note: str
    numerator_sql: str
    denominator_sql: str | None = None
    disaggregations: tuple[str, ...] = ("province", "sex")
    breakdowns: tuple[str, ...] = ()
    denominator_breakdowns: tuple[str, ...] = ()
    sdg_series: str | None = None
    # Estimator of kind statistic, one of STATISTICS, at ``quantile`` (0.5 = median). A survival quantile can be only a
    # lower bound ("at least"): lower_bound then holds it and upper_bound stays empty, and no progress is read into it.
    statistic: str | None = None
    quantile: float | None = None
    bounded: bool = False
    person_based: bool = True  # counts persons: small cells are suppressed in public views
    # Cases still inside their standard time on the source's as-of date (neither success nor failure yet): the
    # numerator SQL then yields a ``pending`` column (1 per pending case, counted in neither numerator nor
    # denominator), summed like the numerator into the tidy table's ``pending`` column. The label names them.
    pending_label: str | None = None

    def __post_init__(self) -> None:
        problems = []
        if self.area not in AREAS:
            problems.append(f"area {self.area!r} not one of {AREAS}")
        if self.unit not in UNITS:
            problems.append(f"unit {self.unit!r} not one of {UNITS}")
        if not set(self.disaggregations) <= set(DISAGGREGATIONS):
            problems.append(f"disaggregations {self.disaggregations} not within {DISAGGREGATIONS}")
        if "district" in self.disaggregations and "province" not in self.disaggregations:
            problems.append("a district breakdown needs the province breakdown too")
        if self.kind == "statistic" and (self.statistic not in STATISTICS or not 0 < (self.quantile or 0) < 1):
            problems.append(f"a statistic needs an estimator among {STATISTICS} and a quantile between 0 and 1")
        if self.kind == "ratio" and self.unit not in SCALE:
            problems.append(f"a ratio is shown as percent, ratio or score, not {self.unit!r}")
        if self.kind in ("count", "amount", "statistic") and self.denominator_sql:
            problems.append(f"kind {self.kind!r} has no denominator")
        if not set(self.denominator_breakdowns) <= set(self.breakdowns):
            problems.append("denominator_breakdowns must be among breakdowns")
        if problems:
            raise ValueError(f"indicator {self.id}: " + "; ".join(problems))

    @property
    def statistic_is_lower_bound(self) -> bool:
        """True when the value may be only a lower bound ("at least"), shown in lower_bound."""
        return self.statistic == "survival_quantile"

    @property
    def scale(self) -> float:
        return SCALE.get(self.unit, 1.0)

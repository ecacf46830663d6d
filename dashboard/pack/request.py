"""What a meeting pack is asked for (version, period, province, language, audience), checked against the data.

The command line and the dashboard's button build the same ``PackRequest``; a request the data cannot answer raises
``PackError`` with a message in the reader's language that names what was asked and what is accepted.
"""

from __future__ import annotations

from dataclasses import dataclass

from dashboard import data, i18n, views
from dashboard.i18n import t

AUDIENCES = {"public": data.PUBLIC, "commission": data.EVERYTHING}


class PackError(ValueError):
    """A request the data cannot answer (unknown version, period or province; no warehouse)."""


@dataclass(frozen=True)
class PackRequest:
    version: str
    period: str | None  # None = the latest period with data, as the dashboard's default
    province: str  # ISO 3166-2 code, views.NATIONAL for the country
    language: str  # "en" or "lo"
    audience: str  # data.PUBLIC, data.EVERYTHING, or a province code (a provincial account in the dashboard)

    @property
    def is_national(self) -> bool:
        return self.province == views.NATIONAL

    @property
    def is_public(self) -> bool:
        return self.audience == data.PUBLIC


def checked_request(
    *, version: str | None, period: str | None, province: str | None, language: str, audience: str
) -> PackRequest:
    """The request with its defaults filled in (current version, latest period, national), or ``PackError``.

    Runs inside the audience and language the pack is built for (``data.as_audience``, ``i18n.in_language``)."""
    current = data.current_version()
    if current is None:
        raise PackError(t("No data warehouse has been built yet, so there is nothing to show."))
    published = data.version_ids(version)
    chosen_version = (version or current).strip().lower()
    if chosen_version not in published:
        raise PackError(
            t(
                "Unknown data version {value}; published versions: {accepted}.",
                value=version,
                accepted=", ".join(published[:8]),
            )
        )
    periods = data.periods(chosen_version)
    chosen_period = period.strip().upper().replace(" ", "-") if period else None
    if chosen_period is not None and chosen_period not in periods:
        shown = ", ".join(periods[:6]) + (" …" if len(periods) > 6 else "")
        raise PackError(t("Unknown period {value}; periods with data: {accepted}.", value=period, accepted=shown))
    codes = set(data.provinces()["iso_code"])
    chosen_province = (province or views.NATIONAL).strip().upper()
    if chosen_province in ("NATIONAL", "ALL"):
        chosen_province = views.NATIONAL
    if chosen_province != views.NATIONAL and chosen_province not in codes:
        raise PackError(
            t(
                "Unknown province {value}; accepted: an ISO 3166-2 code such as LA-AT or LA-VT, or LA for the "
                "whole country.",
                value=province,
            )
        )
    return PackRequest(chosen_version, chosen_period, chosen_province, language, audience)


def period_text(request: PackRequest) -> str:
    """The period in words: the chosen one, or 'Latest (2022-Q4)' when none was chosen."""
    if request.period:
        return i18n.period_label(request.period)
    periods = data.periods(request.version)
    return t("Latest ({period})", period=i18n.period_label(periods[0])) if periods else t("no data")

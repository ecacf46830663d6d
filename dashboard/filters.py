"""Filters that live in the URL: a copied link opens exactly the same view, on any page.

Streamlit clears the query string when the reader changes page, so every chosen filter is also kept in
``st.session_state`` and written back to ``st.query_params`` at the top of every page. Precedence on each run:
the URL (a shared link, a page link, or the widget callback that just wrote it) → the value carried from the previous
page → the default. A bad value in a link gives a warning that names it and what is accepted, then the default.

``version`` pins the data version (``?version=v0003``): a shared link shows the numbers that were shared, on every
page, until the reader asks for the current data. A provincial commission's account locks the province filter.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

import streamlit as st

from dashboard import i18n, views
from dashboard.text import plain_text

_CARRIED = "_sp_filters"  # session_state: filter name -> chosen value, carried across pages
_WIDGET = "_sp_widget_{}"  # session_state key of each filter's widget

SEX_OPTIONS = {"_T": "Both sexes", "F": "Female", "M": "Male"}
_SEX_ALIASES = {
    "T": "_T",
    "_T": "_T",
    "ALL": "_T",
    "TOTAL": "_T",
    "BOTH": "_T",
    "F": "F",
    "FEMALE": "F",
    "M": "M",
    "MALE": "M",
}
FILTER_ORDER = ("version", "period", "province", "sex", "programme")
DEFAULTS = {"province": views.NATIONAL, "sex": "_T", "period": None, "programme": None, "version": None}
DEFAULT_LABELS = {
    "province": "Lao PDR (national)",
    "sex": "both sexes",
    "period": "the latest period",
    "programme": "all programmes",
}


@dataclass(frozen=True)
class Filters:
    period: str | None  # None = latest available
    province: str  # ISO 3166-2 code, "LA" = national
    sex: str  # "_T", "F" or "M"
    programme: str | None = None

    @property
    def is_national(self) -> bool:
        return self.province == views.NATIONAL


def _carried() -> dict:
    return st.session_state.setdefault(_CARRIED, {})


def _raw_param(name: str) -> str | None:
    raw = st.query_params.get(name)
    return None if raw is None else str(raw).strip()


# A select box shows None as "nothing chosen", so "latest period" / "all programmes" get a word of their own.
_ANY = "__any__"


def _on_widget_change(name: str) -> None:
    # Runs before the rerun: the URL then carries the reader's new choice, which wins over the old link.
    value = st.session_state[_WIDGET.format(name)]
    value = None if value == _ANY else value
    _carried()[name] = value
    if value is None or value == DEFAULTS.get(name):
        st.query_params.pop(name, None)
    else:
        st.query_params[name] = value


def _resolve(
    name: str, accepted: list[str], normalise, explain, default=None, default_label: str | None = None
) -> str | None:
    """The value of one filter from the URL, else carried, else default; warns on a bad value in the URL."""
    default = DEFAULTS.get(name) if default is None else default
    raw = _raw_param(name)
    if raw is not None and raw != "":
        value = normalise(raw)
        if value in accepted:
            return value
        st.warning(
            i18n.t("**{raw}** is not a valid {name} in this link.", raw=plain_text(raw), name=i18n.t(name))
            + " "
            + explain(raw)
            + " "
            + i18n.t("Showing {default} instead.", default=default_label or i18n.t(DEFAULT_LABELS[name])),
            icon=":material/warning:",
        )
        return default
    carried = _carried().get(name, default)
    return carried if carried in accepted or carried is None else default


def _province_explain(provinces) -> callable:
    names = provinces["name_lo" if i18n.language() == "lo" else "name_en"]
    examples = ", ".join(f"{c} ({n})" for c, n in zip(provinces["iso_code"][:3], names[:3]))
    return lambda raw: i18n.t(
        "Accepted: an ISO 3166-2 province code such as {examples} … (18 provinces), or LA for the whole country.",
        examples=examples,
    )


def _normalise_province(raw: str) -> str:
    code = raw.upper()
    return views.NATIONAL if code in ("LA", "NATIONAL", "ALL") else code


def _normalise_period(raw: str) -> str:
    return raw.upper().replace(" ", "-")


def _explain_period(available: list[str]):
    def explain(raw: str) -> str:
        shown = ", ".join(available[:6]) + (" …" if len(available) > 6 else "")
        if not views.PERIOD_PATTERN.match(_normalise_period(raw)):
            return i18n.t(
                "A period is written YYYY-Qn, for example {example}.", example=available[0] if available else "2022-Q2"
            )
        return i18n.t("There is no data for it; periods with data: {periods}.", periods=shown)

    return explain


def _select(
    name: str, label: str, options: list, value, format_func, disabled: bool = False, help: str | None = None
) -> None:
    key = _WIDGET.format(name)
    st.session_state[key] = _ANY if value is None else value
    st.sidebar.selectbox(
        i18n.t(label),
        options,
        key=key,
        format_func=format_func,
        on_change=_on_widget_change,
        args=(name,),
        disabled=disabled,
        help=help,
    )


def data_version(current: str, published: list[str]) -> str:
    """The version this reader sees: ``?version=`` when it names a published version, else the one carried from
    the previous page, else ``current``. A bad value warns, names the versions, and is dropped from the link."""
    carried = _carried()
    raw = _raw_param("version")
    if raw:
        wanted = raw.lower()
        if wanted in published:
            carried["version"] = wanted  # pinned, even to the current one: the link asked for it
            return wanted
        shown = ", ".join(published[:6]) + (" …" if len(published) > 6 else "")
        st.warning(
            i18n.t(
                "**{raw}** is not a published data version in this link. Published versions: {shown}. "
                "Showing the current data ({current}) instead.",
                raw=plain_text(raw),
                shown=shown,
                current=current,
            ),
            icon=":material/warning:",
        )
        carried.pop("version", None)
        st.query_params.pop("version", None)
        return current
    pinned = carried.get("version")
    return pinned if pinned in published else current


def requested_version() -> str | None:
    """The version a link asks for (lower-cased), if any."""
    raw = _raw_param("version")
    return raw.lower() if raw else None


def unpin_version() -> None:
    """Back to the current data (the widget callback of 'Show the current data')."""
    _carried().pop("version", None)
    st.query_params.pop("version", None)


def filter_bar(
    *,
    periods: list[str],
    provinces,
    show: tuple[str, ...] = ("period", "province", "sex"),
    programmes: dict[str, str] | None = None,
    locked_province: str | None = None,
) -> Filters:
    """Read (and show in the sidebar) the filters of this page; keep every filter in the URL and in the session.

    ``locked_province`` (a provincial commission's account): the only province offered, whatever the link says.
    """
    carried = _carried()
    local_names = provinces["name_lo" if i18n.language() == "lo" else "name_en"]
    names = {views.NATIONAL: i18n.t("Lao PDR (national)"), **dict(zip(provinces["iso_code"], local_names))}

    period = _resolve("period", periods, _normalise_period, _explain_period(periods))
    if locked_province:
        province_codes = [locked_province]
        own = names.get(locked_province, locked_province)
        province = _resolve(
            "province",
            province_codes,
            _normalise_province,
            lambda raw: i18n.t("Your account is limited to {own} ({code}).", own=own, code=locked_province),
            default=locked_province,
            default_label=own,
        )
    else:
        province_codes = [views.NATIONAL] + list(provinces["iso_code"])
        province = _resolve("province", province_codes, _normalise_province, _province_explain(provinces))
    sex = _resolve(
        "sex",
        list(SEX_OPTIONS),
        lambda raw: _SEX_ALIASES.get(raw.upper(), raw),
        lambda raw: i18n.t("Accepted: F (female), M (male) or T (both sexes)."),
    )
    if programmes is not None:
        programme = _resolve(
            "programme",
            list(programmes),
            lambda raw: raw.lower(),
            lambda raw: i18n.t(
                "Accepted: {choices}.", choices=", ".join(f"{c} ({i18n.t(n)})" for c, n in programmes.items())
            ),
        )
    else:
        # Not filtered on this page: carry it unchanged so the next page that has it still shows it.
        programme = _raw_param("programme") or carried.get("programme")

    chosen = {"period": period, "province": province, "sex": sex, "programme": programme}
    carried.update(chosen)

    st.sidebar.markdown("### " + i18n.t("Filters"))
    if "period" in show and periods:
        _select(
            "period",
            "Period",
            [_ANY] + periods,
            period,
            lambda p: (
                i18n.t("Latest ({period})", period=i18n.period_label(periods[0])) if p == _ANY else i18n.period_label(p)
            ),
        )
    if "province" in show:
        _select(
            "province",
            "Province",
            province_codes,
            province,
            lambda c: names.get(c, c),
            disabled=bool(locked_province),
            help=i18n.t("Your account is for this province's commission.") if locked_province else None,
        )
    if "sex" in show:
        _select("sex", "Sex", list(SEX_OPTIONS), sex, lambda s: i18n.t(SEX_OPTIONS[s]))
    if "programme" in show and programmes:
        _select(
            "programme",
            "Programme",
            [_ANY] + list(programmes),
            programme,
            lambda p: i18n.t("All programmes") if p == _ANY else i18n.t(programmes.get(p, p)),
        )
    return Filters(period=period, province=province, sex=sex, programme=programme)


def current_params(extra: dict | None = None) -> dict[str, str]:
    """The URL parameters of the current view: every non-default filter plus page parameters."""
    carried = _carried()
    params = {
        name: carried[name]
        for name in FILTER_ORDER
        if carried.get(name) is not None and carried.get(name) != DEFAULTS.get(name)
    }
    params.update({k: v for k, v in (extra or {}).items() if v is not None})
    params.update(i18n.url_param())  # the language rides in every link, like the filters
    return params


def sync_url(page_params: tuple[str, ...] = ()) -> dict[str, str]:
    """Write the current view to the address bar (replacing what navigation cleared) and return it.

    ``page_params`` are this page's own parameters (e.g. ``indicator``): kept when present in the URL.
    """
    params = current_params({name: _raw_param(name) for name in page_params})
    if dict(st.query_params) != params:
        st.query_params.from_dict(params)
    return params


def share_link(params: dict[str, str]) -> str:
    """The full link to this view (relative when the app's address is unknown, e.g. under test)."""
    base = ""
    try:
        base = (st.context.url or "").split("?")[0]
    except Exception:  # st.context.url is absent outside a browser session
        base = ""
    query = urlencode(params)
    return f"{base}?{query}" if query else (base or "?")


def page_param(name: str, options: list[str]) -> str:
    """A page-specific choice from the URL (warning on a bad value), else the one carried, else the first option."""
    raw = _raw_param(name)
    carried_key = f"_sp_page_{name}"
    if raw:
        match = {o.upper(): o for o in options}.get(raw.upper())
        if match is not None:
            st.session_state[carried_key] = match
            return match
        st.warning(
            i18n.t("**{raw}** is not a valid {name} in this link.", raw=plain_text(raw), name=i18n.t(name))
            + " "
            + i18n.t("Accepted: {choices}.", choices=", ".join(options) if len(options) <= 8 else _some(options))
            + " "
            + i18n.t("Showing {default} instead.", default=options[0]),
            icon=":material/warning:",
        )
        return options[0]
    carried = st.session_state.get(carried_key)
    return carried if carried in options else options[0]


def _some(options: list[str]) -> str:
    """A long list of choices named by its first few: the menu on the page holds them all."""
    return ", ".join(options[:5]) + " … " + i18n.t("({count} in the menu on this page)", count=len(options))


def on_page_param_change(name: str, widget_key: str, default: str) -> None:
    value = st.session_state[widget_key]
    st.session_state[f"_sp_page_{name}"] = value
    if value == default:
        st.query_params.pop(name, None)
    else:
        st.query_params[name] = value

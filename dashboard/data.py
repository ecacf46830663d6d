"""The one door from the pages to the data: cached functions keyed on the warehouse version.

Every run reads the current version cheaply (the CURRENT file); everything else is cached with ``st.cache_data`` on
that version, so a refresh is picked up without a restart and nothing is recomputed while the version is unchanged.
Pages never import ``indicators.api`` themselves: access rules (small-cell suppression, version pinning) belong here.

Audience: nobody signed in (role ``public``) gets the suppressed indicator table — the WHOLE table of a version is
suppressed once (complementary suppression only protects cells when it sees every additive set), at publish, and
every shaped view is cut from it, the supporting tables of person counts included (the referral funnel, payments by
days late). A provincial commission's account sees its own province as computed and every other
province exactly as the public does (``scoped_values``: the public table, with more cells hidden where knowing the
own province's figures would give a hidden one back by subtraction); its supporting tables of person counts are the
public ones. Other signed-in roles get the figures as computed. Each cached function is keyed on the audience as
well as the version, so audiences never mix.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import hashlib
import inspect
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import streamlit as st

from dashboard import auth, i18n, views
from data_pipeline import reference
from indicators import api
from indicators import disclosure as suppression


def current_version() -> str | None:
    """The published version, or None when no warehouse has been built yet (read on every run: it is one file)."""
    try:
        return api.current_version()
    except FileNotFoundError:
        return None


def provinces() -> pd.DataFrame:
    """The 18 provinces: iso_code, lsb_code (text, '01'…'18'), name_en, name_lo, population_2015."""
    return _reference("provinces").copy()


def districts() -> pd.DataFrame:
    return _reference("districts").copy()


@functools.lru_cache(maxsize=2)
def _reference(table: str) -> pd.DataFrame:
    # Shipped with the code, the same for every version: read once per process, not again after each publish (which
    # empties Streamlit's data cache; reading one took 20-40 ms of a first view).
    return reference.reference_table(table).to_pandas()


def province_name(code: str) -> str:
    """A province's name in the reader's language (Lao script from the reference table in Lao)."""
    if code == views.NATIONAL:
        return i18n.t("Lao PDR (national)")
    return province_names().get(code, code)


def province_names() -> dict[str, str]:
    """ISO code -> name in the reader's language."""
    return dict(_province_names_in(i18n.language()))


@functools.lru_cache(maxsize=len(i18n.LANGUAGES))
def _province_names_in(language: str) -> dict[str, str]:
    # The shipped reference table: a page names provinces dozens of times a run.
    frame = provinces()
    return dict(zip(frame["iso_code"], frame["name_lo" if language == "lo" else "name_en"]))


def _localised(func):
    """Names in the reader's language on a cached (language-free) table: indicator short names, province names."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        frame = func(*args, **kwargs)
        if i18n.language() == "en":
            return frame
        changes = {}
        if "short_name" in frame.columns and "indicator_id" in frame.columns:
            changes["short_name"] = [
                i18n.indicator_text(i, "short_name", n) for i, n in zip(frame["indicator_id"], frame["short_name"])
            ]
        if "province_name" in frame.columns and "province" in frame.columns:
            changes["province_name"] = frame["province"].map(province_names()).fillna(frame["province_name"])
        return frame.assign(**changes)

    wrapper.clear = getattr(func, "clear", None)
    return wrapper


EVERYTHING = "all"  # audience: the figures as computed
PUBLIC = "public"  # audience: small cells suppressed
# Any other audience is a province code: that province as computed, the others as the public sees them.


_chosen_audience: contextvars.ContextVar[str | None] = contextvars.ContextVar("sp_audience", default=None)


@contextlib.contextmanager
def as_audience(chosen: str) -> Iterator[None]:
    """Read the data as ``chosen`` sees it (``PUBLIC`` or ``EVERYTHING``) where no reader is signed in: the meeting
    pack's command line (``python -m dashboard.pack --audience``). Inside the dashboard the reader's own audience
    holds; nothing here widens it."""
    token = _chosen_audience.set(chosen)
    try:
        yield
    finally:
        _chosen_audience.reset(token)


def audience() -> str:
    """Which figures this reader may see: ``PUBLIC`` (nobody signed in), a province code (an account limited to a
    province), or ``EVERYTHING``."""
    if (chosen := _chosen_audience.get()) is not None:
        return chosen
    user = auth.current_user()
    if user.role == auth.PUBLIC:
        return PUBLIC
    if user.province is None:
        return EVERYTHING
    # A province the reference does not know (a hand-edited accounts file) gets the public figures, never more.
    return user.province if user.province in set(provinces()["iso_code"]) else PUBLIC


def is_public() -> bool:
    """True when the reader sees public (suppressed) figures: nobody is signed in."""
    return audience() == PUBLIC


def _for_audience(func):
    """Cache ``func(version, audience, parameters, *args)`` and call it with the reader's audience and the parameters
    file's hash as it is now: ``wrapper(version, *args)``. The hash is in every key because targets, thresholds and
    standard days reach the figures: a view cached before an edit of the parameters is not served after it.
    Every argument is handed over by name, in the function's order: the same cache key as by position, without
    Streamlit looking the function's signature up again for each positional argument of each call."""
    cached = st.cache_data(show_spinner=False)(func)
    names = tuple(inspect.signature(func).parameters)

    @functools.wraps(func)
    def wrapper(version: str, *args, **kwargs):
        given = (version, audience(), parameters_hash(), *args)
        if len(given) > len(names):  # more than the function takes: let it say so, as it always did
            return cached(*given, **kwargs)
        return cached(**dict(zip(names, given)), **kwargs)

    wrapper.clear = cached.clear
    return wrapper


_DERIVED_FROM_VALUE = suppression.DERIVED_FROM_VALUE


def threshold() -> int:
    return int(_parameters_now()["general"]["small_cell_threshold"])


def parameters_hash() -> str:
    """The digest of the parameters file as it is now (targets, thresholds: what a shown table may depend on)."""
    return _parameters_now()["_hash"]


def _parameters_now() -> dict:
    """The parameters file as it is now (read only; not to be modified), parsed again only when the file changes
    (``api.parameters_in_use``): every table a page shows asks for the threshold."""
    return api.parameters_in_use()


def public_values(tidy: pd.DataFrame, limit: int, funnel: pd.DataFrame | None = None) -> pd.DataFrame:
    """The whole indicator table of one version as the public may see it: ``indicators.disclosure.public_table``
    without its funnel pseudo-rows (pages get it through ``api.indicator_values(version, public=True)``)."""
    table = suppression.public_table(tidy, limit, funnel=funnel)
    return table[~table["indicator_id"].isin(suppression.PSEUDO_INDICATORS)].reset_index(drop=True)


def _values_cached(version: str, audience: str) -> pd.DataFrame:
    """The public table (the indicator layer's, computed once per version) or ``scoped_values`` of a province, kept
    on disk beside the indicator cache: suppression takes seconds. The file name carries the threshold, this code
    and the table's content."""
    if audience == PUBLIC:
        return api.indicator_values(version, public=True)
    tidy = api.indicator_values(version)
    limit = threshold()
    code = hashlib.sha256(Path(suppression.__file__).read_bytes() + Path(__file__).read_bytes()).hexdigest()[:10]
    content = hashlib.sha256(pd.util.hash_pandas_object(tidy, index=False).to_numpy().tobytes()).hexdigest()[:16]
    path = api.warehouse_access.warehouse_root() / "cache" / version / f"{audience}-t{limit}-{code}-{content}.parquet"
    if path.exists():
        return pd.read_parquet(path)
    frame = scoped_values(tidy, _values_cached(version, PUBLIC), audience)
    api.write_cache(frame, path)
    return frame


def scoped_values(tidy: pd.DataFrame, public: pd.DataFrame, province: str) -> pd.DataFrame:
    """The indicator table for an account limited to ``province``: that province's rows as computed (all of them),
    every other row as in ``public`` (``public_values(tidy, …)``), plus the cells that must be hidden because the
    reader knows the province's figures: a province hidden only as a complement, once known, would otherwise give
    another province's small cell back through the national total."""
    from indicators.catalogue import all_indicators

    shown = tidy[tidy["district"].isna() | (tidy["breakdown"] == "_T")].reset_index(drop=True)
    key = [c for c in suppression.CELL_COLUMNS if c in shown.columns]
    if not shown[key].astype(str).reset_index(drop=True).equals(public[key].astype(str).reset_index(drop=True)):
        raise RuntimeError("public_values must keep the rows it was given, in their order")
    own = (shown["province"] == province).to_numpy()
    counts_persons = {i for i, indicator in all_indicators().items() if indicator.person_based}
    persons = shown["indicator_id"].isin(counts_persons).to_numpy()
    figures = suppression.figure_matrix(shown)
    size = (
        pd.to_numeric(shown["denominator"].fillna(shown["numerator"]).fillna(shown["value"]), errors="coerce")
        .fillna(0)
        .to_numpy()
    )
    # Complements are taken from other provinces' person counts (the own province is known), non-empty and
    # smallest first; the equations are the indicator layer's, figure by figure, as the public table's.
    order = np.lexsort((size, size == 0, ~persons))
    rank = np.empty(len(order), dtype=int)
    rank[order] = np.arange(len(order))
    hidden = suppression.protect_figures(
        public["suppressed"].to_numpy(dtype=bool),
        figures,
        suppression.figure_equations(shown, figures),
        rank,
        known=own,
    )
    scoped = public.copy()
    for column in [c for c in scoped.columns if c in shown.columns]:
        scoped.loc[own, column] = shown.loc[own, column]
    scoped.loc[own, "suppressed_label"] = None
    newly = hidden & ~public["suppressed"].to_numpy(dtype=bool)
    blanked = [
        c
        for c in scoped.columns
        if c in suppression.VALUE_COLUMNS
        or c in _DERIVED_FROM_VALUE
        or c.startswith(suppression.DERIVED_PREFIXES)
        or c == "pending"
    ]
    scoped.loc[newly, blanked] = np.nan
    scoped["suppressed"] = hidden
    scoped.loc[newly, "suppressed_label"] = suppression.SUPPRESSED_LABEL
    # The province's own district figures by payment cycle, channel…, which the public table leaves out.
    own_detail = tidy[(tidy["province"] == province) & tidy["district"].notna() & (tidy["breakdown"] != "_T")]
    return pd.concat(
        [scoped, own_detail.assign(suppressed=False, suppressed_label=None)[scoped.columns]], ignore_index=True
    )


@dataclass(frozen=True)
class IndicatorTables:
    """One version's indicator table as one audience sees it, cut for the shaped views: a view asks for one
    indicator's rows (or the headline rows) instead of filtering the whole table on every call. Shared by every
    session and never modified (the views in ``dashboard.views`` are pure).

    Each part is cut when first asked for and kept: a page shows a few indicators of ~36, and cutting every one
    (31 columns each) at the first view after a publish cost ~10 ms of it."""

    whole: pd.DataFrame
    positions: dict[str, np.ndarray]  # each indicator's row positions in ``whole``, in the whole table's order
    _rows: dict[str, pd.DataFrame] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def cut(cls, whole: pd.DataFrame) -> IndicatorTables:
        return cls(whole, {str(i): rows for i, rows in whole.groupby("indicator_id", sort=False).indices.items()})

    @functools.cached_property
    def headline(self) -> pd.DataFrame:
        """Above district level, no extra breakdown: scorecards and profiles."""
        return self.whole[self.whole["district"].isna() & (self.whole["breakdown"] == views.TOTAL)]

    def indicator(self, indicator_id: str) -> pd.DataFrame:
        """Every row of one indicator, in the whole table's order and with its index labels."""
        rows = self._rows.get(indicator_id)
        if rows is None:
            positions = self.positions.get(indicator_id)
            rows = self.whole.iloc[0:0] if positions is None else self.whole.take(positions)
            self._rows[indicator_id] = rows  # two sessions cutting it at once keep equal frames
        return rows


@st.cache_data(show_spinner=False)
def _generation(version: str, audience: str, parameters: str) -> str:
    """A new token each time Streamlit's data cache is emptied, so the shared tables below are read again too."""
    return uuid.uuid4().hex


@st.cache_resource(show_spinner="Loading indicators…", max_entries=6)
def _shared_tables(version: str, audience: str, parameters: str, generation: str) -> IndicatorTables:
    # st.cache_resource, not st.cache_data: a cached data frame is unpickled on every call (about a second for the
    # national public table), and every shaped view below starts from this one.
    if audience == EVERYTHING:
        return IndicatorTables.cut(api.indicator_values(version))
    return IndicatorTables.cut(_values_cached(version, audience))


def _tables(version: str, audience: str, parameters: str) -> IndicatorTables:
    """The shared tables of ``version`` for ``audience`` and the parameters file whose hash is ``parameters`` (the
    indicator layer computes the figures again after an edit of it)."""
    return _shared_tables(version, audience, parameters, _generation(version, audience, parameters))


def _tidy(version: str, audience: str, parameters: str) -> pd.DataFrame:
    return _tables(version, audience, parameters).whole


def values(version: str) -> pd.DataFrame:
    """The tidy indicator table of ``version`` as this reader may see it (a copy: the shared one is never changed)."""
    return _tidy(version, audience(), parameters_hash()).copy()


@st.cache_data(show_spinner=False)
def _catalogue(version: str, parameters: str) -> pd.DataFrame:
    # Keyed on the version although the catalogue is code, and on the parameters file's hash: its targets come
    # from that file.
    return api.catalogue()


def catalogue(version: str) -> pd.DataFrame:
    """The indicator catalogue with its names, definition and method note in the reader's language, the parameters'
    names (``grievance_standard_days``) written as what they are worth ("30 days")."""
    return _catalogue_for_reader(version, i18n.language(), _parameters_now()["_hash"])


@st.cache_data(show_spinner=False)
def _catalogue_for_reader(version: str, lang: str, parameters_hash: str) -> pd.DataFrame:
    # Made once per version, language and parameters file (its days are written out), not on every call.
    frame = _catalogue(version, parameters_hash)
    if lang != "en":
        frame = _in_language(frame, lang)
    days = {k: v for k, v in _parameters_now().get("general", {}).items() if k.endswith("_days")}
    with i18n.in_language(lang):
        return _with_days(frame, days)


def _english_catalogue(version: str) -> pd.DataFrame:
    """The catalogue in English, for the cached views that are not keyed on the language: ``_localised`` puts their
    names in the reader's language afterwards (a view cached for a Lao reader gave the next English one Lao names)."""
    return _catalogue_for_reader(version, "en", _parameters_now()["_hash"])


def _with_days(frame: pd.DataFrame, days: dict) -> pd.DataFrame:
    texts = ("numerator_label", "denominator_label", "method_note", "pending_label")
    return frame.assign(
        **{c: frame[c].map(lambda text: _parameters_in_words(text, days)) for c in texts if c in frame.columns}
    )


def _parameters_in_words(text: object, days: dict) -> object:
    """'within grievance_standard_days' -> 'within 30 days'; 'time - `x_days`, a parameter, 30 days -' keeps one
    '30 days'."""
    if not isinstance(text, str):
        return text
    for name, value in days.items():
        text = re.sub(rf"`?{name}`?, (a parameter|ພາລາມິເຕີ), ", "", text)
        text = re.sub(rf"`?{name}`?", i18n.t("{n} days", n=value), text)
    return text


def _in_language(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    fields = {
        "short_name": "short_name",
        "long_name": "name",
        "numerator_label": "numerator",
        "denominator_label": "denominator",
        "method_note": "method_note",
        "pending_label": "pending_label",
    }
    return frame.assign(
        **{
            column: [
                i18n.indicator_text(i, field, english, lang) for i, english in zip(frame["indicator_id"], frame[column])
            ]
            for column, field in fields.items()
            if column in frame.columns
        }
    )


def parameters(version: str) -> dict:
    """The parameters file as it is now (a copy of its own: a caller may change it)."""
    return _parameters(version, parameters_hash())


@st.cache_data(show_spinner=False)
def _parameters(version: str, parameters: str) -> dict:
    return api.parameters()


@_for_audience
def supporting(version: str, audience: str, parameters: str, name: str) -> pd.DataFrame:
    if name == "referral_funnel" and audience != EVERYTHING:
        # Hidden exactly where the public indicator table hides the same referrals (one decision, not two).
        return suppression.public_funnel(api.public_rows(version, _FUNNEL_ROWS))
    if name == "days_late_distribution" and audience != EVERYTHING:
        # Every level (national, both sexes) as the one public table hides it; see ``days_late``.
        return suppression.public_days_late(api.public_rows(version, _DAYS_LATE_ROWS))
    table = api.supporting_table(version, name)
    if name == "pci" and audience != EVERYTHING:
        return suppression.public_pci(table, api.public_rows(version, _PCI_ROWS))
    return table


# The public table's rows each public cut reads (``api.public_rows``: not a copy of the whole table each).
_FUNNEL_ROWS = (suppression.FUNNEL, suppression.FUNNEL_FEEDBACK)
_DAYS_LATE_ROWS = (suppression.DAYS_LATE,)
_PCI_ROWS = tuple(indicator for _, indicator in suppression.PCI_COMPONENTS)


def _supporting_as(version: str, audience: str, parameters: str, name: str) -> pd.DataFrame:
    """``supporting`` for the audience and parameters a cached view is keyed on (not looked up again), uncached."""
    return supporting.__wrapped__(version, audience, parameters, name)


MEETING_COUNTS = ["planned", "held", "members_expected", "members_present", "at_designated_level"]


@_for_audience
def meeting_totals(version: str, audience: str, parameters: str, province: str, period: str | None) -> dict:
    """Commission meetings summed over every level, for ``province`` (``views.NATIONAL``: every meeting) up to
    ``period``: planned, held, members_expected, members_present, at_designated_level (the coordination tiles)."""
    meetings = views.in_view(
        _supporting_as(version, audience, parameters, "meetings"), province=province, period=period
    )
    return meetings.dropna(subset=["level"])[MEETING_COUNTS].sum().to_dict()


@_for_audience
def pci_ranking(
    version: str, audience: str, parameters: str, language: str, period: str | None
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The provinces' coordination index of the latest period at or before ``period`` (the ranking is of provinces:
    the national score is not one of them), named in ``language`` with a label flagging the ones below a minimum;
    the flagged ones; and why each is flagged, as the grid shows it (column titles and reasons in ``language``)."""
    pci = views.at_or_before(_supporting_as(version, audience, parameters, "pci"), period)
    pci = pci[pci["province"] != views.NATIONAL]
    latest_pci = pci[pci["period"] == pci["period"].max()] if len(pci) else pci
    with i18n.in_language(language):
        named = latest_pci.assign(province_name=latest_pci["province"].map(province_name))
        named = named.assign(
            label=[f"⚑ {n}" if flag else n for n, flag in zip(named["province_name"], named["flagged"])]
        )
        flagged = named[named["flagged"].fillna(False).astype(bool)]
        reasons = i18n.with_column_labels(
            i18n.with_cell_labels(flagged[["province_name", "score", "reasons"]].fillna({"reasons": "—"}))
        )
    return named, flagged, reasons


@_for_audience
def days_late(version: str, audience: str, parameters: str, province: str, sex: str) -> pd.DataFrame:
    """Payments by days late of ``province`` (``views.NATIONAL`` for the country) and ``sex`` ("_T": both) by period
    and bin: period, days_late_bin, payments, suppressed. The public's comes from the one public table at the level
    asked for (never a sum of the rows it may show, which would leave the hidden ones out); a hidden count is null."""
    columns = ["period", suppression.DAYS_LATE_BIN, "payments", "suppressed"]
    if audience == EVERYTHING:
        table = api.supporting_table(version, "days_late_distribution")
        if province != views.NATIONAL:
            table = table[table["province"] == province]
        if sex != suppression.TOTAL:
            table = table[table["sex"] == sex]
        summed = table.groupby(["period", suppression.DAYS_LATE_BIN], as_index=False)["payments"].sum()
        return summed.assign(payments=summed["payments"].astype(float), suppressed=False)[columns]
    table = suppression.public_days_late(api.public_rows(version, _DAYS_LATE_ROWS))
    chosen = (
        (table["province"] == province)
        & (table["sex"] == sex)
        & (table[suppression.DAYS_LATE_BIN] != suppression.TOTAL)
    )
    return table[chosen][columns].reset_index(drop=True)


@_for_audience
def referral_funnel(version: str, audience: str, parameters: str, province: str) -> pd.DataFrame:
    """The referral funnel of ``province`` (``views.NATIONAL`` for the country) by period: made, completed,
    feedback_returned, suppressed. The public's comes from the one public table, national row included (never a sum
    of the provinces it may show, which would leave the hidden ones out); a hidden figure is null."""
    counts = ["made", "completed", "feedback_returned"]
    if audience == EVERYTHING:
        table = api.supporting_table(version, "referral_funnel")
        if province != views.NATIONAL:
            table = table[table["province"] == province]
        return table.groupby("period", as_index=False)[counts].sum().assign(province=province, suppressed=False)
    table = suppression.public_funnel(api.public_rows(version, _FUNNEL_ROWS))
    return table[table["province"] == province].reset_index(drop=True)


@st.cache_data(show_spinner=False)
def version_info(version: str) -> dict:
    return api.version_info(version)


@st.cache_data(show_spinner=False)
def version_created(version: str) -> str | None:
    """When ``version`` was published (ISO text), for the sidebar of every page: the manifest itself is large on
    national data (every file and table) and a cached copy of it is rebuilt on each call."""
    return version_info(version).get("created_at")


@st.cache_data(show_spinner=False, ttl=30)
def versions() -> pd.DataFrame:
    # Not keyed on the version: a rejected refresh adds a log line without publishing a version.
    return api.list_versions()


def version_ids(wanted: str | None = None) -> list[str]:
    """Published version ids, newest first; read again when ``wanted`` is not among the cached ones (just published)."""
    ids = list(versions()["version"])
    if wanted and wanted not in ids:
        versions.clear()
        ids = list(versions()["version"])
    return ids


@st.cache_data(show_spinner=False)
def reporting_coverage(version: str) -> pd.DataFrame:
    """Who has reported in ``version``: per source, period and province (data_pipeline.coverage, as the CLI)."""
    from data_pipeline import coverage

    return coverage.version_coverage(version)


@st.cache_data(show_spinner=False)
def reporting_summary(version: str) -> pd.DataFrame:
    """``reporting_coverage`` per source and period: provinces covered, partly covered, missing, and which."""
    from data_pipeline import coverage

    return coverage.summary(reporting_coverage(version))


@st.cache_data(show_spinner=False, ttl=30)
def refresh_log() -> pd.DataFrame:
    return api.refresh_log()


def audit_trail() -> pd.DataFrame:
    """The refresh log as an audit table, newest first (Secretariat only: it names people)."""
    return views.audit_trail(refresh_log())


def sign_in_pauses() -> pd.DataFrame:
    """The sign-in audit log (``access.throttle``): each pause imposed on an account from a client, newest first
    (Secretariat only: it names accounts and addresses)."""
    from access.throttle import read_auth_log

    columns = ["time", "event", "account", "client", "failures", "paused_seconds"]
    return pd.DataFrame(read_auth_log(), columns=columns)


@st.cache_data(show_spinner=False)
def is_sample_data(version: str) -> bool:
    """True when the version was built with the public demo key, i.e. from the bundled sample data."""
    from data_pipeline.secrets import DEMO_HASH_KEY, key_fingerprint

    info = version_info(version)
    fingerprint = info.get("hash_key_fingerprint") or info.get("key_fingerprint")
    if fingerprint:
        return fingerprint == key_fingerprint(DEMO_HASH_KEY)
    return str(info.get("operator", "")).startswith("sample")


# --- shaped tables (cached pure functions from dashboard.views) -------------------------------------------------


@_for_audience
def periods(version: str, audience: str, parameters: str) -> list[str]:
    """The periods a page's filters offer (``views.periods``). The public's from two columns of the public table
    (``api.public_periods``), not from the whole table: the app's empty page, and every page until it shows a
    figure, then reads no more than that."""
    if audience == PUBLIC:
        return views.periods_of(api.public_periods(version))
    return views.periods(_tidy(version, audience, parameters))


@_localised
@_for_audience
def scorecard(
    version: str, audience: str, parameters: str, province: str, sex: str, period: str | None
) -> pd.DataFrame:
    headline = _tables(version, audience, parameters).headline
    return views.scorecard(headline, _english_catalogue(version), province=province, sex=sex, period=period)


@_for_audience
def trend(version: str, audience: str, parameters: str, indicator_id: str, province: str, sex: str) -> pd.DataFrame:
    rows = _tables(version, audience, parameters).indicator(indicator_id)
    return views.trend(rows, province=province, sex=sex, indicator_id=indicator_id)


@_for_audience
def latest_figures(
    version: str,
    audience: str,
    parameters: str,
    indicator_ids: tuple[str, ...],
    province: str,
    sex: str,
    period: str | None,
) -> dict[str, pd.Series | None]:
    """The figure a tile shows for each of ``indicator_ids``: its latest row at or before ``period`` (a year stands
    for its quarters) for one area and sex, a hidden figure included (the tile then reads "suppressed", never an older
    value); None where there is none. One cached call for a page's tiles instead of a trend and its filtering each."""
    latest = {}
    for indicator_id in indicator_ids:
        rows = _tables(version, audience, parameters).indicator(indicator_id)
        rows = views.trend(rows, province=province, sex=sex, indicator_id=indicator_id)
        rows = views.at_or_before(views.with_figure(rows), period)
        latest[indicator_id] = rows.iloc[-1] if len(rows) else None
    return latest


@_for_audience
def baseline(version: str, audience: str, parameters: str, indicator_id: str) -> tuple[float | None, str | None]:
    """The national baseline an indicator's status is measured from, and its period (``views.baseline``: the
    parameters' official value, else the first national figure in or after the baseline year)."""
    entry = _catalogue(version, parameters).set_index("indicator_id").loc[indicator_id]
    rows = views.trend(
        _tables(version, audience, parameters).indicator(indicator_id),
        province=views.NATIONAL,
        sex=views.TOTAL,
        indicator_id=indicator_id,
    )
    return views.baseline(rows, entry["baseline_year"], entry["baseline_value"])


@_localised
@_for_audience
def by_province(
    version: str, audience: str, parameters: str, indicator_id: str, sex: str, period: str | None
) -> pd.DataFrame:
    rows = _tables(version, audience, parameters).indicator(indicator_id)
    return views.by_province(rows, provinces(), indicator_id=indicator_id, sex=sex, period=period)


@_for_audience
def by_sex(
    version: str, audience: str, parameters: str, indicator_id: str, province: str, period: str | None
) -> pd.DataFrame:
    rows = _tables(version, audience, parameters).indicator(indicator_id)
    return views.by_sex(rows, indicator_id=indicator_id, province=province, period=period)


@_for_audience
def breakdown(
    version: str,
    audience: str,
    parameters: str,
    indicator_id: str,
    dimension: str,
    province: str,
    sex: str,
    period: str | None = None,
) -> pd.DataFrame:
    return views.breakdown(
        _tables(version, audience, parameters).indicator(indicator_id),
        indicator_id=indicator_id,
        dimension=dimension,
        province=province,
        sex=sex,
        period=period,
    )


@_for_audience
def by_district(
    version: str, audience: str, parameters: str, indicator_id: str, sex: str, province: str | None, period: str | None
) -> pd.DataFrame:
    rows = _tables(version, audience, parameters).indicator(indicator_id)
    return views.by_district(rows, districts(), indicator_id=indicator_id, sex=sex, province=province, period=period)


@_localised
@_for_audience
def province_profile(
    version: str, audience: str, parameters: str, province: str, sex: str, period: str | None
) -> pd.DataFrame:
    headline = _tables(version, audience, parameters).headline
    return views.province_profile(headline, _english_catalogue(version), province=province, sex=sex, period=period)


@_for_audience
def indicator_rows(version: str, audience: str, parameters: str, indicator_id: str) -> pd.DataFrame:
    """Every value of one indicator (the indicator page's table)."""
    return _tables(version, audience, parameters).indicator(indicator_id).reset_index(drop=True)


@_for_audience
def disaggregations(version: str, audience: str, parameters: str, indicator_id: str) -> list[str]:
    return views.indicator_disaggregations(_tables(version, audience, parameters).indicator(indicator_id), indicator_id)


@_for_audience
def programmes(version: str, audience: str, parameters: str, indicator_id: str) -> dict[str, str]:
    """Programme codes an indicator is broken down by, with readable names."""
    frame = _tables(version, audience, parameters).indicator(indicator_id)
    codes = sorted(
        frame.loc[(frame["indicator_id"] == indicator_id) & (frame["breakdown"] == "programme"), "breakdown_value"]
        .dropna()
        .unique()
    )
    return {code: PROGRAMME_NAMES.get(code, code.replace("_", " ").capitalize()) for code in codes}


PROGRAMME_NAMES = {"mecg": "Mother and Early Childhood Grant (MoLSW)", "cash_transfer": "Cash transfer (MAF)"}

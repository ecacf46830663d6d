"""What the charts promise a reader (issue 14): a hidden figure reads "suppressed" in the chart, with a legend entry,
where a member's chart has the number; "no data" and "suppressed" apart on the map; labels that are not clipped
and not tiny; share scales from 0; targets with their year; human words; an empty chart is one sentence."""

from __future__ import annotations

import pandas as pd
import pytest

from dashboard import charts, maps
from indicators import api
from tests.conftest import figures, run_page, shown_text
from tests.roles_fixtures import accounts, run_as  # noqa: F401  (fixture)

GRIEVANCES = {"indicator": "COORD_GRIEVANCE_TIMELY"}


def figure_titled(figs: list[dict], title: str) -> dict:
    found = [f for f in figs if (f["layout"].get("title") or {}).get("text", "").replace("<br>", " ") == title]
    assert len(found) == 1, [(f["layout"].get("title") or {}).get("text") for f in figs]
    return found[0]


def bands(fig: dict) -> list[dict]:
    """The 'suppressed' bands of a figure: bar traces on the second value axis."""
    return [tr for tr in fig["data"] if tr.get("yaxis") == "y2" or tr.get("xaxis") == "x2"]


def public_rows(indicator_id: str) -> pd.DataFrame:
    table = api.indicator_values(api.current_version(), public=True)
    rows = table[(table["indicator_id"] == indicator_id) & table["district"].isna() & (table["breakdown"] == "_T")]
    return rows


def test_women_and_men_read_suppressed_for_a_donor_where_a_member_has_the_number(dashboard_warehouse, accounts):
    hidden = public_rows("COORD_GRIEVANCE_TIMELY")
    hidden_men = sorted(
        hidden.loc[(hidden["province"] == "LA") & (hidden["sex"] == "M") & hidden["suppressed"], "period"]
    )
    assert len(hidden_men) >= 3  # the example: national grievances of men, hidden in several quarters

    donor = figure_titled(figures(run_page("pages/indicator.py", GRIEVANCES)), "Women and men")
    [band] = [b for b in bands(donor) if b["name"] == "Male: suppressed"]
    assert band["x"] == hidden_men
    assert set(band["text"]) == {"suppressed"} and band["showlegend"] is True
    men = next(tr for tr in donor["data"] if tr["name"] == "Male" and tr["type"] == "scatter")
    assert all(pd.isna(y) for x, y in zip(men["x"], men["y"]) if x in hidden_men)

    member = figure_titled(
        figures(run_as("pages/indicator.py", "member", GRIEVANCES, role="commission")), "Women and men"
    )
    assert not bands(member)
    men = next(tr for tr in member["data"] if tr["name"] == "Male")
    assert all(y > 0 for x, y in zip(men["x"], men["y"]) if x in hidden_men)


def test_a_donor_ranking_and_map_say_suppressed_and_tell_it_from_no_data(dashboard_warehouse):
    rows = public_rows("COORD_GRIEVANCE_TIMELY")
    latest = rows[(rows["province"] != "LA") & (rows["sex"] == "_T")]
    figs = figures(run_page("pages/indicator.py", GRIEVANCES))

    ranking = figure_titled(figs, "Ranking")
    [band] = bands(ranking)
    assert band["name"] == "suppressed" and band["orientation"] == "h"
    values = next(tr for tr in ranking["data"] if tr not in bands(ranking))
    # A hidden province has no value text of its own: the band says it, and "no data" is kept for missing figures.
    assert "suppressed" not in values["text"]
    assert len(band["y"]) >= 10 and not set(band["y"]) & {y for y, x in zip(values["y"], values["x"]) if x}

    geo = figure_titled(figs, "By province")
    filled = {tr["name"]: tr for tr in geo["data"] if tr["type"] == "choropleth" and tr.get("name")}
    assert len(filled["suppressed"]["locations"]) == len(band["y"])
    colours = {name: tr["colorscale"][0][1] for name, tr in filled.items()}
    legend = {tr["name"]: tr["marker"]["color"] for tr in geo["data"] if tr["type"] == "scattergeo"}
    assert legend == {"no data": maps.NO_DATA_GREY, "suppressed": maps.MAP_SUPPRESSED_GREY}
    assert all(colours[name] == legend[name] for name in colours)
    assert latest["suppressed"].any()


def test_every_label_of_every_chart_is_at_least_11_px(dashboard_warehouse):
    sizes = []

    def collect(node, key=""):
        if isinstance(node, dict):
            for k, v in node.items():
                if k == "size" and ("font" in key or key == "uniformtext") and isinstance(v, (int, float)):
                    sizes.append((key, v))
                if k == "minsize":
                    sizes.append((k, v))
                collect(v, k)
        elif isinstance(node, list):
            for v in node:
                collect(v, key)

    for page, params in [
        ("pages/coverage.py", {}),
        ("pages/payments.py", {}),
        ("pages/coordination.py", {}),
        ("pages/province.py", {"province": "LA-AT"}),
        ("pages/indicator.py", GRIEVANCES),
    ]:
        for fig in figures(run_page(page, params)):
            collect(fig)
            # plotly shrinks a bar's label to fit the bar (days-late labels came out at 7 px) unless told a minimum.
            if any(tr["type"] in ("bar", "funnel") and tr.get("text") for tr in fig["data"]):
                assert fig["layout"]["uniformtext"]["minsize"] >= 11
    assert len(sizes) > 100
    assert min(size for _, size in sizes) >= 11, sorted(sizes, key=lambda s: s[1])[:5]


def test_share_scales_start_at_zero_and_targets_say_their_year(dashboard_warehouse):
    figs = figures(run_page("pages/coverage.py", {"indicator": "SI_COV_BENFTS", "period": "2021-Q2"}))
    geo = next(f for f in figs if any(tr["type"] == "choropleth" for tr in f["data"]))
    scaled = [tr for tr in geo["data"] if tr["type"] == "choropleth" and "zmin" in tr]
    assert scaled and all(tr["zmin"] == 0 for tr in scaled)
    assert min(v for tr in scaled for v in tr["z"]) > 1  # the data themselves start well above 0

    trend = figure_titled(figs, "Trend (both sexes)")
    assert [a["text"] for a in trend["layout"]["annotations"]] == ["target 40.0% by 2030"]
    # The period filter holds for the trend as for the chart beside it: nothing after 2021-Q2.
    assert trend["data"][0]["x"][-1] == "2021-Q2"
    assert figure_titled(figs, "Gender gap: women vs men")["data"][0]["x"][-1] == "2021-Q2"


def test_category_values_are_words_in_legends(dashboard_warehouse):
    figs = figures(run_page("pages/indicator.py", GRIEVANCES))
    names = {tr["name"] for f in figs for tr in f["data"] if tr.get("name")}
    assert {"Cash transfer", "Health insurance", "Female", "Male"} <= names
    assert not [n for n in names if "_" in n or n in ("F", "M", "female", "male", "cash_transfer")]
    lao = figures(run_page("pages/indicator.py", {**GRIEVANCES, "lang": "lo"}))
    lao_names = {tr["name"] for f in lao for tr in f["data"] if tr.get("name")}
    assert "Cash transfer" not in lao_names and "ປິດບັງ" in lao_names


def test_an_empty_chart_is_one_sentence(dashboard_warehouse):
    # The Commission's meeting log starts in 2022: before that, the meetings chart had axes and nothing else.
    at = run_page("pages/coordination.py", {"period": "2021-Q4"})
    assert not at.exception
    titles = [(f["layout"].get("title") or {}).get("text", "") for f in figures(at)]
    assert not [t for t in titles if "planned vs held" in t]
    assert "Commission meetings: planned vs held: no data for this selection." in shown_text(at)

    nothing = pd.DataFrame({"period": ["2022-Q1"], "value": [float("nan")], "suppressed": [False]})
    figure = charts.lines(nothing, x="period", y="value", series=None, unit="percent", title="Trend")
    assert charts.empty_sentence(figure) == "Trend: no data for this selection."
    hidden = nothing.assign(suppressed=True)
    # A hidden figure is something to show: the band saying "suppressed".
    assert (
        charts.empty_sentence(charts.lines(hidden, x="period", y="value", series=None, unit="percent", title="T"))
        is None
    )


@pytest.mark.parametrize("horizontal", [True, False])
def test_value_labels_are_never_clipped(horizontal):
    frame = pd.DataFrame({"name": ["Nong", "Sanamxay", "Phouvong"], "value": [510.0, 502.0, 16.25]})
    fig = charts.bars(frame, category="name", value="value", unit="persons", title="Never paid", horizontal=horizontal)
    bar = fig.data[0]
    assert bar.cliponaxis is False and bar.constraintext == "none" and bar.textposition == "outside"
    if horizontal:
        # The labels sit in the right margin: it holds the longest ("510 persons" at about 7.5 px a character).
        assert fig.layout.margin.r >= 7.5 * len("510 persons")
    else:
        assert fig.layout.yaxis.range[1] >= 510 * 1.15


def test_titles_fit_a_phone_and_the_toolbar_keeps_off_them():
    frame = pd.DataFrame({"period": ["2022-Q1", "2022-Q2"], "value": [1.0, 2.0]})
    title = "Days from enrolment to first payment (median), by sex and by payment cycle"
    fig = charts.lines(frame, x="period", y="value", series=None, unit="days", title=title)
    lines = fig.layout.title.text.split("<br>")
    assert len(lines) > 1 and max(map(len, lines)) <= charts.TITLE_WIDTH
    assert fig.layout.title.pad.t >= 28  # the toolbar's strip, above the title
    assert fig.layout.margin.t >= 28 + 22 * len(lines)
    assert {"zoom2d", "pan2d", "zoomInGeo", "select2d"} <= set(charts.PLOTLY_CONFIG["modeBarButtonsToRemove"])


def test_labels_under_vertical_bars_wrap_so_neighbours_do_not_meet():
    bins = ["on or before the due date", "1-15 days", "16-30 days", "31-60 days", "61-90 days", "not paid"]
    frame = pd.DataFrame({"bin": bins, "payments": [268.0, 422, 244, 358, 90, 3003]})
    fig = charts.bars(
        frame, category="bin", value="payments", unit="payments", title="Days late", horizontal=False, ranked=False
    )
    labels = list(fig.data[0].x)
    assert labels[0] == "on or before<br>the due date" and labels[1:] == bins[1:]
    assert max(len(line) for label in labels for line in label.split("<br>")) <= charts.TICK_LABEL_WIDTH
    assert list(fig.layout.xaxis.categoryarray) == labels


def test_the_province_comparison_stays_about_a_phone_screen_tall():
    # The province page's chart: 26 indicators, the province beside the country; one name of four lines gave every
    # indicator a four-line slot (1,890 px at 390 px wide).
    names = [f"Effective coverage: group {i}" for i in range(24)] + [
        "Effective coverage: older persons (old-age pensioners of any age / persons 60+)",
        "Effective coverage: persons with severe disabilities",
    ]
    frame = pd.DataFrame(
        {
            "indicator": names * 2,
            "area": ["Attapeu"] * 26 + ["Lao PDR"] * 26,
            "value": [float(i) for i in range(52)],
        }
    )
    fig = charts.grouped_bars(
        frame, x="indicator", y="value", series="area", unit="percent", title="Attapeu vs Lao PDR", horizontal=True
    )
    assert fig.layout.height <= 1100
    labels = list(fig.data[0].y)
    assert all(label.count("<br>") < charts.LABEL_LINES for label in labels)
    assert labels[24] == "Effective coverage:<br>older persons (old-age…"
    assert len(set(labels)) == 26
    # The whole name is in the hover.
    assert fig.data[0].customdata[24][1] == names[24] and "customdata[1]" in fig.data[0].hovertemplate


def test_the_chosen_province_is_named_on_the_map_in_a_white_halo():
    frame = pd.DataFrame(
        {
            "province": ["LA-AT", "LA-VT"],
            "lsb_code": ["17", "01"],
            "province_name": ["Attapeu", "Vientiane Capital"],
            "value": [4.3, 16.2],
        }
    )
    figure, kind = maps.province_map(frame, unit="percent", title="Coverage", highlight="LA-AT")
    assert kind == "choropleth"
    [label] = [tr for tr in figure.data if tr.type == "scattergeo" and tr.text and "Attapeu" in tr.text[0]]
    assert label.textfont.shadow == maps.HALO and "#fff" in maps.HALO


def _every_builder() -> dict[str, object]:
    """One figure of each builder of dashboard.charts and dashboard.maps, on tiny frames with a hidden figure."""
    import numpy as np

    from data_pipeline import reference

    cycles = pd.DataFrame({"cycle": ["c1", "c2", "c3"], "value": [50.0, 60.0, np.nan], "suppressed": [0, 0, 1]})
    series = pd.DataFrame(
        {"period": ["2021-Q1", "2021-Q2"] * 2, "channel": ["cash"] * 2 + ["wallet"] * 2, "value": [1.0, 2, 3, 4]}
    )
    by_sex = pd.DataFrame({"period": ["2021-Q1", "2021-Q2"], "female": [1.0, 2.0], "male": [3.0, 4.0]})
    stages = pd.DataFrame({"stage": ["made", "completed", "feedback"], "count": [100.0, 50.0, 20.0]})
    matrix = pd.DataFrame({"sender": ["a", "b"], "period": ["2021-Q1"] * 2, "status": ["on time", "missing"]})
    places = reference.reference_table("provinces").to_pandas().rename(columns={"iso_code": "province"})
    places = places.assign(province_name=places["name_en"], value=np.linspace(1.0, 90.0, len(places)))
    return {
        "bars": charts.bars(cycles, category="cycle", value="value", unit="percent", title="T", target=55.0),
        "vertical bars": charts.bars(
            cycles, category="cycle", value="value", unit="percent", title="T", horizontal=False
        ),
        "grouped bars": charts.grouped_bars(series, x="period", y="value", series="channel", unit="days", title="T"),
        "lines": charts.lines(series, x="period", y="value", series="channel", unit="LAK", title="T", target=2.0),
        "women and men": charts.women_and_men(by_sex, unit="percent", title="T"),
        "funnel": charts.funnel(stages, title="T"),
        "reporting matrix": charts.reporting_matrix(matrix, row="sender", title="T"),
        "nothing to show": charts.nothing_to_show("T"),
        "choropleth": maps.province_map(places, unit="percent", title="T")[0],
        "tile grid": maps.tile_grid(places, unit="percent", title="T"),
    }


def test_every_builder_carries_the_template_as_plotly_validates_it_byte_for_byte(monkeypatch):
    """charts.new_figure puts the template in without plotly's validation (issue 13): each figure's JSON is the one
    the same builder makes when the template is set through plotly's validation, byte for byte."""
    import plotly.graph_objects as go
    import plotly.io as pio

    built = {name: pio.to_json(fig) for name, fig in _every_builder().items()}

    def validated_figure(data=None):
        return go.Figure(data).update_layout(template=charts.TEMPLATE)

    monkeypatch.setattr(charts, "new_figure", validated_figure)
    monkeypatch.setattr(maps, "new_figure", validated_figure)
    validated = {name: pio.to_json(fig) for name, fig in _every_builder().items()}
    assert len(built) == 10
    for name, text in built.items():
        assert text == validated[name], name
        assert '"paper_bgcolor":"white"' in text, name  # plotly_white, not a default template


def test_every_builder_styles_its_layout_as_plotly_update_layout_does_byte_for_byte(monkeypatch):
    """charts.style validates its layout properties once per distinct text and copies them in (issue 13): each
    figure's JSON, made with the validated properties kept (second build) and kept nothing (first), is the one the same
    builder makes with plotly's own ``update_layout``, byte for byte."""
    import plotly.io as pio

    monkeypatch.setattr(charts, "_VALIDATED_LAYOUTS", {})
    first = {name: pio.to_json(fig) for name, fig in _every_builder().items()}
    assert charts._VALIDATED_LAYOUTS  # kept for the next figure
    kept = {name: pio.to_json(fig) for name, fig in _every_builder().items()}

    def plotly_update_layout(fig, **properties):
        fig.update_layout(**properties)

    monkeypatch.setattr(charts, "_set_new_layout_properties", plotly_update_layout)
    by_plotly = {name: pio.to_json(fig) for name, fig in _every_builder().items()}
    assert len(by_plotly) == 10
    for name, text in by_plotly.items():
        assert first[name] == text, name
        assert kept[name] == text, name


def test_a_kept_layout_is_never_shared_between_figures():
    """A figure changed after styling (a builder widens its margin) leaves the kept properties as they were."""
    one = charts.style(charts.new_figure(), title="Same title", height=300)
    one.update_layout(margin={"r": 99}, title={"text": "changed"})
    two = charts.style(charts.new_figure(), title="Same title", height=300)
    assert two.layout.margin.r == 10 and two.layout.title.text == "Same title"


def test_a_kept_figure_is_the_json_plotly_makes_of_it_key_for_key():
    """components keeps each figure as plotly's round trip makes it (issue 13: without its last deep copies)."""
    import plotly.graph_objects as go
    import plotly.io as pio

    from dashboard import components

    for name, fig in _every_builder().items():
        expected = go.Figure(fig.to_dict(), _validate=False).to_dict()
        kept = components._plain_figure(fig)
        # As Streamlit writes a figure (st.plotly_chart: plotly.io.to_json, not validated again).
        assert pio.to_json(dict(kept), validate=False) == pio.to_json(expected, validate=False), name

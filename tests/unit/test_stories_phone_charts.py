"""Charts fit a phone and carry their numbers: titles wrap onto short lines, legends and colour bars sit under the
plot, and every figure's numbers come out as a table (charts.numbers) shown under it with its text alternative."""

from __future__ import annotations

import pandas as pd
import pytest

from commons_kernel.stories import charts
from commons_kernel.stories.blocks import Figure, Table, figure_text, table_html

pytestmark = pytest.mark.unit

SQUARES = {
    "type": "FeatureCollection",
    "features": [
        {
            "type": "Feature",
            "id": code,
            "properties": {"code": code, "name": name},
            "geometry": {"type": "Polygon", "coordinates": [[[x, 53], [x + 0.1, 53], [x + 0.1, 53.1], [x, 53]]]},
        }
        for x, code, name in ((-3, "E05000001", "First"), (-2.8, "E05000002", "Second <b>"))
    ],
}
LONG_TITLE = "Share of small areas among the most deprived 10% in England, 2025"


def test_a_long_title_wraps_onto_lines_that_fit_a_phone():
    lines = charts.wrap_title(LONG_TITLE)
    assert len(lines) == 2 and all(len(line) <= charts.TITLE_CHARACTERS for line in lines)
    assert " ".join(lines) == LONG_TITLE  # nothing cut off
    figure = charts.bars(["Income"], {"A": [0.5], "B": [0.25]}, LONG_TITLE, "share", percent=True)
    assert figure.layout.title.text == "<br>".join(lines)
    assert figure.layout.margin.t >= 16 + charts.TITLE_LINE_PX * 2  # room for both lines


def test_legends_sit_under_the_bars_one_entry_a_line_and_labels_wrap():
    figure = charts.bars(
        ["Barriers to housing and services", "Crime"],
        {"Allerton and Hunts Cross": [0.1, 0.2], "Liverpool": [0.2, 0.3], "Liverpool City Region": [0.3, 0.4]},
        "Title",
        "share",
        percent=True,
    )
    legend = figure.layout.legend
    assert legend.orientation == "v" and legend.yref == "container" and legend.y == 0
    assert figure.layout.margin.b >= 24 * 3  # room for three entries
    assert figure.data[0].y[0] == "Barriers to<br>housing and<br>services"
    assert charts.bars(["Crime"], {"Only": [1]}, "T", "n").layout.showlegend is False


def test_a_map_has_the_whole_width_and_its_colour_bar_below():
    figure = charts.choropleth(
        SQUARES,
        ["E05000001", "E05000002"],
        [12.5, 40.0],
        ["First", "Second <b>"],
        LONG_TITLE,
        "IMD score",
        highlight="E05000001",
    )
    assert list(figure.layout.geo.domain.x) == [0, 1]
    colorbar = figure.data[0].colorbar
    assert colorbar.orientation == "h" and colorbar.len == 1 and colorbar.y < 0
    assert figure.layout.margin.b >= charts.COLORBAR_PX


def test_a_map_s_numbers_are_a_table_highest_first_with_its_own_format():
    figure = charts.choropleth(
        SQUARES,
        ["E05000001", "E05000002"],
        [12.5, float("nan")],
        ["First", "Second <b>"],
        "T",
        "% income deprived",
        highlight="E05000001",
        hover_format=".0f",
    )
    table = charts.numbers(figure)
    assert list(table.columns) == ["Area", "% income deprived"]
    assert table.values.tolist() == [["First", "12"], ["Second <b>", "not available"]]  # the outline trace: not a row


def test_bar_numbers_have_one_column_per_series_and_read_as_percentages():
    figure = charts.bars(
        ["Barriers to housing and services", "Crime"],
        {"Anfield": [0.914, 0.2], "Liverpool": [0.43, None]},
        "T",
        "share",
        percent=True,
        category_title="Part of deprivation",
    )
    table = charts.numbers(figure)
    assert table.to_dict("list") == {
        "Part of deprivation": ["Barriers to housing and services", "Crime"],
        "Anfield": ["91%", "20%"],
        "Liverpool": ["43%", "not available"],
    }


def test_under_every_figure_its_words_and_its_numbers_escaped():
    figure = charts.choropleth(SQUARES, ["E05000001", "E05000002"], [1, 2], ["First", "Second <b>"], "T", "n")
    text = figure_text(Figure(figure, "Map of <two> wards"))
    assert "<em>Map of &lt;two&gt; wards</em>" in text
    assert "<details" in text and "Second &lt;b&gt;" in text and "<b>" not in text
    assert 'role="region" tabindex="0"' in text and "overflow-x:auto" in text  # scrolls by itself on a phone


def test_tables_scroll_inside_themselves():
    wide = pd.DataFrame({f"Column {i}": ["a long value " * 3] for i in range(8)})
    rendered = table_html(Table(wide, "Wide"))
    assert '<div class="commons-scroll" role="region" tabindex="0" aria-label="Wide"' in rendered


def test_a_tall_area_gets_a_tall_frame_so_it_fills_a_phone_s_width():
    tall = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"code": "T", "name": "Tall"},
                "geometry": {
                    "type": "Polygon",
                    "coordinates": [[[-3.1, 53.4], [-3.0, 53.4], [-3.0, 53.7], [-3.1, 53.4]]],
                },
            }
        ],
    }
    figure = charts.choropleth(tall, ["T"], [1], ["Tall"], "T", "n")
    assert figure.layout.geo.lataxis.range[0] < 53.4 and figure.layout.geo.lataxis.range[1] > 53.7
    assert charts.map_height(charts.bounds(tall, ["T"])) == 720  # as tall as allowed
    assert charts.map_height((-3.4, 53.3, -2.6, 53.4)) == 220 < charts.map_height((-3.1, 53.0, -3.0, 53.1))
    assert charts.bounds(tall, ["nothing"]) is None

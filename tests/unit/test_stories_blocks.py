"""Page blocks draw offline and say in words what each figure shows."""

from __future__ import annotations

import html
import json

import pytest

from commons_kernel.stories import charts
from commons_kernel.stories.blocks import Figure, Table, Text, figure_bundle, figure_iframe, output_records

pytestmark = pytest.mark.unit

SQUARE = {
    "type": "FeatureCollection",
    "features": [
        {
            "type": "Feature",
            "id": "E05000001",
            "properties": {"code": "E05000001", "name": "First"},
            "geometry": {"type": "Polygon", "coordinates": [[[-3, 53], [-2.9, 53], [-2.9, 53.1], [-3, 53]]]},
        }
    ],
}


def map_block() -> Figure:
    figure = charts.choropleth(SQUARE, ["E05000001"], [12.5], ["First"], "A title", "score", highlight="E05000001")
    return Figure(figure, 'Map of one ward "First" </script>')


def test_maps_fit_their_areas_and_fetch_nothing_from_a_cdn():
    spec = figure_bundle(map_block())["application/vnd.plotly.v1+json"]
    geo = spec["layout"]["geo"]
    assert geo["lonaxis"]["range"][0] < -3 < -2.9 < geo["lonaxis"]["range"][1] and geo["visible"] is False
    assert geo["lataxis"]["range"][0] < 53 < 53.1 < geo["lataxis"]["range"][1]
    assert spec["config"]["topojsonURL"] == "/services/stories/static/topojson/"
    assert "cdn" not in json.dumps(spec).lower()


def test_the_app_draws_figures_in_frames_with_the_local_plotly_and_their_text_alternative():
    block = map_block()
    frame = figure_iframe(block)
    assert frame.startswith('<iframe class="commons-figure"')
    assert html.escape(block.alt) in frame
    document = html.unescape(frame.split('srcdoc="', 1)[1].split('" style=', 1)[0])
    assert '<script src="/services/stories/static/plotly.min.js"></script>' in document
    assert document.count("</script>") == 2  # the alt's "</script>" cannot end a script
    records = output_records(block)
    caption = records[1]["data"]["text/html"]
    assert f"<em>{html.escape(block.alt)}</em>" in caption  # the text alternative, shown
    assert (
        "<summary>The numbers in this chart</summary>" in caption and "<td>First</td>\n      <td>12.5</td>" in caption
    )


def test_every_block_becomes_output_records():
    import pandas as pd

    assert output_records(Text("# Hi"))[0]["data"]["text/markdown"] == "# Hi"
    table = output_records(Table(pd.DataFrame({"a": [1, None]}), "Caption"))[0]["data"]["text/html"]
    assert "<figcaption>Caption</figcaption>" in table and "fewer than 10" in table
    with pytest.raises(TypeError, match="return Text, Figure or Table"):
        output_records("text")

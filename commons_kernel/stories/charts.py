"""Maps and charts that draw with no internet: Plotly choropleths over GeoJSON outlines (no tiles), bar charts.

Colours are colour-blind safe: cividis for ordered values (darker is more), a purple-orange diverging scale for
change, and the Okabe-Ito palette for categories. Every figure has a title and its text alternative (blocks.Figure),
and its numbers as a table (``numbers``).

They fit a phone (390 px): titles wrap onto short lines (``wrap_title``), legends and colour bars sit below the
plot, where they cannot overlap it or each other and leave maps the page's whole width.
"""

from __future__ import annotations

import math
import textwrap

import pandas as pd
import plotly.graph_objects as go

SEQUENTIAL = "cividis_r"  # dark = high (more deprived, more crime)
DIVERGING = [[0.0, "#5e3c99"], [0.5, "#f7f7f7"], [1.0, "#e66101"]]  # PuOr: purple = better, orange = worse
OKABE_ITO = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]
FONT = {"family": "system-ui, -apple-system, Segoe UI, Roboto, sans-serif", "size": 14}


def outline(frame, code_column: str, name_column: str, tolerance: float = 0.0004, digits: int = 5) -> dict:
    """A small GeoJSON FeatureCollection (simplified, rounded coordinates) with ``code`` and ``name`` properties."""
    import shapely

    geometry = shapely.set_precision(frame.geometry.simplify(tolerance, preserve_topology=True).values, 10**-digits)
    features = []
    for code, name, shape in zip(frame[code_column], frame[name_column], geometry, strict=False):
        features.append(
            {
                "type": "Feature",
                "id": str(code),
                "properties": {"code": str(code), "name": str(name)},
                "geometry": shapely.geometry.mapping(shape),
            }
        )
    return {"type": "FeatureCollection", "features": features}


def subset(outline_geojson: dict, codes) -> dict:
    keep = set(codes)
    return {
        "type": "FeatureCollection",
        "features": [f for f in outline_geojson["features"] if f["properties"]["code"] in keep],
    }


TITLE_CHARACTERS = 34  # a 16 px title line this long fits the 340 px a figure has on a 390 px phone
TITLE_LINE_PX = 21


def wrap_title(title: str, width: int = TITLE_CHARACTERS) -> list[str]:
    """The title as lines short enough for a phone (plotly never wraps a title itself: it is cut off)."""
    return textwrap.wrap(title, width, break_long_words=False) or [""]


def wrap_label(label, width: int = 18) -> str:
    """A category label on lines of ``width`` characters, so the labels leave a phone's chart room for its bars."""
    return "<br>".join(textwrap.wrap(str(label), width, break_long_words=False)) or str(label)


def _layout(figure: go.Figure, title: str, height: int, bottom: int = 8) -> go.Figure:
    lines = wrap_title(title)
    top = 16 + TITLE_LINE_PX * len(lines)
    figure.update_layout(
        template="none",
        font=FONT,
        paper_bgcolor="white",
        plot_bgcolor="white",
        title={
            "text": "<br>".join(lines),
            "x": 0,
            "xanchor": "left",
            "xref": "container",
            "pad": {"l": 8},
            "font": {"size": 16},
        },
        height=height + top,
        margin={"l": 8, "r": 8, "t": top + 8, "b": bottom},
    )
    return figure


COLORBAR_PX = 72  # room under a map for its colour bar and the bar's title
PHONE_MAP_PX = 340  # the width a map has on a 390 px phone: its height is chosen so it fills that width


def _points(geometry: dict):
    def walk(coordinates):
        if coordinates and isinstance(coordinates[0], (int, float)):
            yield coordinates
        else:
            for part in coordinates or []:
                yield from walk(part)

    yield from walk((geometry or {}).get("coordinates"))


def bounds(geojson: dict, codes) -> tuple[float, float, float, float] | None:
    """(west, south, east, north) of the areas ``codes``, or None when none is drawn."""
    keep = {str(c) for c in codes}
    points = [
        p
        for f in geojson.get("features", [])
        if str(f.get("properties", {}).get("code")) in keep
        for p in _points(f.get("geometry"))
    ]
    if not points:
        return None
    lons, lats = [p[0] for p in points], [p[1] for p in points]
    return min(lons), min(lats), max(lons), max(lats)


def map_height(box, low: int = 220, high: int = 720) -> int:
    """The height of the drawn map at which the areas, in Mercator, fill a phone's width (a tall borough needs a
    taller map: in a square frame Sefton came out 159 px wide on a phone)."""
    if box is None:
        return 420
    west, south, east, north = box
    mercator = [math.log(math.tan(math.pi / 4 + math.radians(lat) / 2)) for lat in (south, north)]
    width, height = math.radians(east - west), mercator[1] - mercator[0]
    if width <= 0:
        return high
    return int(min(high, max(low, PHONE_MAP_PX * height / width * 1.06)))


def choropleth(
    geojson: dict,
    codes,
    values,
    names,
    title: str,
    colorbar: str,
    *,
    colorscale=SEQUENTIAL,
    zmin=None,
    zmax=None,
    highlight: str | None = None,
    hover_format: str = ".1f",
    height: int | None = None,
) -> go.Figure:
    """Areas shaded by ``values``; ``highlight`` outlines one area in black. Zoomed to the areas drawn, as tall as
    they need to fill a phone's width (``map_height``) unless ``height`` is given."""
    figure = go.Figure(
        go.Choropleth(
            geojson=geojson,
            locations=list(codes),
            z=list(values),
            featureidkey="properties.code",
            text=list(names),
            colorscale=colorscale,
            zmin=zmin,
            zmax=zmax,
            marker={"line": {"width": 0.4, "color": "#444"}},
            colorbar={
                "title": {"text": colorbar, "side": "top", "font": {"size": 14}},
                "orientation": "h",
                "thickness": 12,
                "len": 1,
                "lenmode": "fraction",
                "x": 0,
                "xanchor": "left",
                "y": -0.02,
                "yanchor": "top",
                "yref": "paper",
                "ypad": 0,
            },
            hovertemplate=f"%{{text}}<br>{colorbar}: %{{z:{hover_format}}}<extra></extra>",
        )
    )
    if highlight is not None:
        figure.add_trace(
            go.Choropleth(
                geojson=geojson,
                locations=[highlight],
                z=[0],
                featureidkey="properties.code",
                showscale=False,
                colorscale=[[0, "rgba(0,0,0,0)"], [1, "rgba(0,0,0,0)"]],
                marker={"line": {"width": 3, "color": "black"}},
                hoverinfo="skip",
            )
        )
    # The frame is the areas' own box (not plotly's square one with fitbounds), so a tall borough is drawn tall
    # and as wide as the page.
    box = bounds(geojson, codes)
    figure.update_geos(visible=False, projection_type="mercator", domain={"x": [0, 1], "y": [0, 1]})
    if box is None:
        figure.update_geos(fitbounds="locations")
    else:
        west, south, east, north = box
        pad_x, pad_y = (east - west) * 0.02, (north - south) * 0.02
        figure.update_geos(lonaxis_range=[west - pad_x, east + pad_x], lataxis_range=[south - pad_y, north + pad_y])
    return _layout(figure, title, height or map_height(box) + COLORBAR_PX + 8, bottom=COLORBAR_PX)


def bars(
    categories,
    series: dict,
    title: str,
    axis_title: str,
    *,
    percent: bool = False,
    height: int | None = None,
    category_title: str = "",
) -> go.Figure:
    """Horizontal grouped bars: one bar per (category, series); series in the Okabe-Ito colours.
    ``category_title`` heads the categories' column in the figure's table of numbers (``numbers``)."""
    categories = [wrap_label(c) for c in categories]
    figure = go.Figure()
    for index, (name, values) in enumerate(series.items()):
        values = list(values)
        figure.add_trace(
            go.Bar(
                y=categories,
                x=values,
                name=name,
                orientation="h",
                marker={"color": OKABE_ITO[index % len(OKABE_ITO)]},
                hovertemplate=f"{name}: %{{x:{'.0%' if percent else ',.1f'}}}<extra></extra>",
            )
        )
    # One legend entry a line, under the axis title: side by side, long place names ran into each other on a phone.
    figure.update_layout(
        meta={"category": category_title},
        barmode="group",
        showlegend=len(series) > 1,
        legend={
            "orientation": "v",
            "x": 0,
            "xanchor": "left",
            "y": 0,
            "yanchor": "bottom",
            "yref": "container",
            "traceorder": "normal",
        },
        xaxis={"title": axis_title, "tickformat": ".0%" if percent else ",", "rangemode": "tozero", "automargin": True},
        yaxis={"autorange": "reversed", "automargin": True},
    )
    legend = 12 + 24 * len(series) if len(series) > 1 else 0
    plot = height or max(220, 40 + 26 * len(categories) * max(1, len(series)))
    return _layout(figure, title, plot + legend, bottom=legend + 56)


def _d3_format(value, spec: str) -> str:
    """A number as plotly's hover shows it (the simple d3 formats used here: ".1f", "+.0f", ".0%", ",")."""
    from commons_kernel.stories import words

    if words.missing(value):
        return "not available"
    try:
        return format(float(value), spec or ",.1f")
    except ValueError:
        return words.number(value)


def _hover_spec(trace, axis: str) -> str:
    template = getattr(trace, "hovertemplate", None) or ""
    marker = f"%{{{axis}:"
    return template.split(marker, 1)[1].split("}", 1)[0] if marker in template else ""


def numbers(figure: go.Figure) -> pd.DataFrame:
    """The figure's numbers as a table, for people who cannot see the chart (and anyone who wants the figures).

    A map: one row per area, highest value first. Bars: one row per category, one column per series."""
    traces = list(figure.data)
    if not traces:
        return pd.DataFrame()
    first = traces[0]
    if first.type == "choropleth":
        heading = first.colorbar.title.text or "Value"
        spec = _hover_spec(first, "z")
        frame = pd.DataFrame({"Area": list(first.text or first.locations), "value": list(first.z)})
        frame = frame.sort_values("value", ascending=False, na_position="last", kind="stable")
        return pd.DataFrame(
            {"Area": frame["Area"], heading: [_d3_format(v, spec) for v in frame["value"]]}
        ).reset_index(drop=True)
    if first.type == "bar":
        spec = _hover_spec(first, "x")
        meta = figure.layout.meta if isinstance(figure.layout.meta, dict) else {}
        table = pd.DataFrame({meta.get("category") or "Group": [str(c).replace("<br>", " ") for c in first.y]})
        for trace in traces:
            table[trace.name or "Value"] = [_d3_format(v, spec) for v in trace.x]
        return table
    raise TypeError(f"charts.numbers does not know {first.type} charts; add a table for it in charts.py.")


def thumbnail_map(geojson: dict, values: dict, cmap: str = "cividis_r"):
    """A small matplotlib map for the gallery (drawn once per refresh, saved as PNG)."""
    import geopandas as gpd
    import matplotlib.pyplot as plt

    frame = gpd.GeoDataFrame.from_features(geojson["features"], crs="EPSG:4326")
    frame["value"] = frame["code"].map(values)
    figure, axis = plt.subplots(figsize=(4, 3))
    frame.plot(column="value", cmap=cmap, linewidth=0.2, edgecolor="#555", ax=axis, missing_kwds={"color": "#ddd"})
    axis.set_axis_off()
    return figure

"""Maps and charts that draw with no internet: Plotly choropleths over GeoJSON outlines (no tiles), bar charts.

Colours are colour-blind safe: cividis for ordered values (darker is more), a purple-orange diverging scale for
change, and the Okabe-Ito palette for categories. Every figure has a title and its text alternative (blocks.Figure).
"""

from __future__ import annotations

import plotly.graph_objects as go

SEQUENTIAL = "cividis_r"                      # dark = high (more deprived, more crime)
DIVERGING = [[0.0, "#5e3c99"], [0.5, "#f7f7f7"], [1.0, "#e66101"]]   # PuOr: purple = better, orange = worse
OKABE_ITO = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]
FONT = {"family": "system-ui, -apple-system, Segoe UI, Roboto, sans-serif", "size": 14}


def outline(frame, code_column: str, name_column: str, tolerance: float = 0.0004, digits: int = 5) -> dict:
    """A small GeoJSON FeatureCollection (simplified, rounded coordinates) with ``code`` and ``name`` properties."""
    import shapely

    geometry = shapely.set_precision(frame.geometry.simplify(tolerance, preserve_topology=True).values,
                                     10 ** -digits)
    features = []
    for code, name, shape in zip(frame[code_column], frame[name_column], geometry):
        features.append({"type": "Feature", "id": str(code), "properties": {"code": str(code), "name": str(name)},
                         "geometry": shapely.geometry.mapping(shape)})
    return {"type": "FeatureCollection", "features": features}


def subset(outline_geojson: dict, codes) -> dict:
    keep = set(codes)
    return {"type": "FeatureCollection",
            "features": [f for f in outline_geojson["features"] if f["properties"]["code"] in keep]}


def _layout(figure: go.Figure, title: str, height: int) -> go.Figure:
    figure.update_layout(template="none", title={"text": title, "x": 0, "xanchor": "left", "font": {"size": 16}}, font=FONT,
                         height=height, margin={"l": 8, "r": 8, "t": 48, "b": 8}, paper_bgcolor="white",
                         plot_bgcolor="white")
    return figure


def choropleth(geojson: dict, codes, values, names, title: str, colorbar: str, *, colorscale=SEQUENTIAL,
               zmin=None, zmax=None, highlight: str | None = None, hover_format: str = ".1f",
               height: int = 420) -> go.Figure:
    """Areas shaded by ``values``; ``highlight`` outlines one area in black. Zoomed to the areas drawn."""
    figure = go.Figure(go.Choropleth(
        geojson=geojson, locations=list(codes), z=list(values), featureidkey="properties.code",
        text=list(names), colorscale=colorscale, zmin=zmin, zmax=zmax, marker={"line": {"width": 0.4,
                                                                                    "color": "#444"}},
        colorbar={"title": {"text": colorbar}, "thickness": 12, "len": 0.8},
        hovertemplate=f"%{{text}}<br>{colorbar}: %{{z:{hover_format}}}<extra></extra>"))
    if highlight is not None:
        figure.add_trace(go.Choropleth(
            geojson=geojson, locations=[highlight], z=[0], featureidkey="properties.code", showscale=False,
            colorscale=[[0, "rgba(0,0,0,0)"], [1, "rgba(0,0,0,0)"]], marker={"line": {"width": 3, "color": "black"}},
            hoverinfo="skip"))
    figure.update_geos(fitbounds="locations", visible=False, projection_type="mercator")
    return _layout(figure, title, height)


def bars(categories, series: dict, title: str, axis_title: str, *, percent: bool = False,
         height: int | None = None) -> go.Figure:
    """Horizontal grouped bars: one bar per (category, series); series in the Okabe-Ito colours."""
    categories = list(categories)
    figure = go.Figure()
    for index, (name, values) in enumerate(series.items()):
        values = list(values)
        figure.add_trace(go.Bar(y=categories, x=values, name=name, orientation="h",
                                marker={"color": OKABE_ITO[index % len(OKABE_ITO)]},
                                hovertemplate=f"{name}: %{{x:{'.0%' if percent else ',.1f'}}}<extra></extra>"))
    figure.update_layout(barmode="group", legend={"orientation": "h", "y": -0.15},
                         xaxis={"title": axis_title, "tickformat": ".0%" if percent else ",", "rangemode": "tozero",
                                "automargin": True},
                         yaxis={"autorange": "reversed", "automargin": True})
    return _layout(figure, title, height or max(260, 70 + 26 * len(categories) * max(1, len(series))))


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

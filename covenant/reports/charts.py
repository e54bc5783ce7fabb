"""Charts drawn on the server as SVG (pygal), inlined in the page: no JavaScript, nothing to load.

Each chart carries a `<title>` and a `<desc>` that say what it shows, and is marked as one image
(`role="img"`) labelled by them; the same figures are always in a table beside it. The page's Content Security
Policy refuses inline styles, so pygal's `<style>` and `<script>` are taken out and the colours are written as
SVG presentation attributes, in GOV.UK Frontend's colours.
"""

from __future__ import annotations

import sys
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import count
from typing import Any

import pygal
from markupsafe import Markup
from pygal.style import Style

# pygal adds an import hook for its map plugins (`pygal.maps.*`, which we do not use) that has no `find_spec`,
# so every later import of a module not yet loaded warns; take it out again.
sys.meta_path[:] = [finder for finder in sys.meta_path if type(finder).__name__ != "PluginImportFixer"]

SVG = "http://www.w3.org/2000/svg"
ET.register_namespace("", SVG)

# GOV.UK Frontend colours (`govuk-colour`), each at least 3:1 against white as WCAG asks of graphics.
SERIES_COLOURS = ("#1d70b8", "#00703c", "#4c2c92", "#d4351c", "#003078", "#505a5f", "#0b0c0c", "#912b88")
TEXT_COLOUR = "#0b0c0c"
LINE_COLOUR = "#b1b4b6"
FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif'
# Drawn 480 wide and scaled to the column, so its text stays readable on a phone.
WIDTH, BAR_HEIGHT, MIN_HEIGHT, FONT_SIZE = 480, 30, 200, 16
_ids = count(1)


@dataclass(frozen=True)
class Series:
    """One set of bars: its name in the legend, and a value for each label."""

    name: str
    values: Sequence[Any]


def bar_chart(
    title: str,
    description: str,
    labels: Sequence[str],
    series: Sequence[Series],
    horizontal: bool = True,
    percent: bool = False,
) -> Markup:
    """A bar chart (horizontal by default, which suits long labels on a phone) as inline SVG."""
    style = Style(
        background="#ffffff",
        plot_background="#ffffff",
        foreground=TEXT_COLOUR,
        foreground_strong=TEXT_COLOUR,
        foreground_subtle=LINE_COLOUR,
        colors=SERIES_COLOURS,
        font_family=FONT,
        label_font_size=FONT_SIZE,
        major_label_font_size=FONT_SIZE,
        value_font_size=FONT_SIZE,
        legend_font_size=FONT_SIZE,
    )
    chart_class = pygal.HorizontalBar if horizontal else pygal.Bar
    rows = max(len(labels), 1) * max(len(series), 1)
    height = max(MIN_HEIGHT, 80 + rows * BAR_HEIGHT) if horizontal else 360
    chart = chart_class(
        style=style,
        width=WIDTH,
        height=height,
        js=[],
        css=[],
        disable_xml_declaration=True,
        explicit_size=False,
        show_legend=len(series) > 1,
        legend_at_bottom=True,
        legend_at_bottom_columns=1,
        print_values=True,
        print_zeroes=True,
        print_values_position="top",
        value_formatter=(lambda value: f"{value:g}%") if percent else (lambda value: f"{value:g}"),
        # Long names (an outcome area, an organisation) are cut short here; the table gives them whole.
        truncate_label=24,
        truncate_legend=-1,
        no_data_text="No figures for these dates",
        margin=12,
        spacing=12,
        include_x_axis=True,
        min_scale=1,
        max_scale=6,
    )
    # pygal draws a horizontal chart's first label at the bottom: reverse them so the page's order reads down.
    order = slice(None, None, -1) if horizontal else slice(None)
    chart.x_labels = list(labels)[order]
    for one in series:
        chart.add(one.name, list(one.values)[order])
    return _accessible_svg(chart.render_tree(), title, description)


def _accessible_svg(root: ET.Element, title: str, description: str) -> Markup:
    chart_id = f"chart-{next(_ids)}"
    root.attrib.pop("xmlns", None)  # ElementTree writes the namespace itself
    root.set("id", chart_id)
    root.set("class", "app-chart")
    root.set("role", "img")
    root.set("aria-labelledby", f"{chart_id}-title {chart_id}-desc")
    root.set("focusable", "false")
    root.set("font-family", FONT)
    root.set("fill", TEXT_COLOUR)
    _clean(root, frozenset())
    title_element = ET.Element(f"{{{SVG}}}title", {"id": f"{chart_id}-title"})
    title_element.text = title
    desc_element = ET.Element(f"{{{SVG}}}desc", {"id": f"{chart_id}-desc"})
    desc_element.text = description
    root.insert(0, desc_element)
    root.insert(0, title_element)
    svg = ET.tostring(root, encoding="unicode")
    return Markup(svg)  # noqa: S704 - built by pygal from our own figures; ElementTree escapes the text


def _clean(parent: ET.Element, inherited: frozenset[str]) -> None:
    """Take out what the page's policy would refuse or what needs a mouse, and paint the rest."""
    for child in list(parent):
        if not isinstance(child.tag, str):  # pygal's comments
            parent.remove(child)
            continue
        tag = child.tag.split("}")[-1]
        classes = frozenset((child.get("class") or "").split())
        # Styles and scripts would be refused by the page's policy; tooltips and per-bar titles need
        # JavaScript or a mouse, and the table holds the same figures.
        if tag in ("style", "script", "title", "desc") or "tooltip" in classes:
            parent.remove(child)
            continue
        child.attrib.pop("style", None)
        child.attrib.pop("id", None)  # legend hooks for pygal's script, and the same in every chart
        _paint(child, tag, classes, inherited | classes)
        _clean(child, inherited | classes)


def _paint(element: ET.Element, tag: str, classes: frozenset[str], context: frozenset[str]) -> None:
    """What pygal's style sheet would have said, as presentation attributes."""
    if "background" in classes:
        element.set("fill", "#ffffff")
    elif "line" in classes:
        element.set("stroke", LINE_COLOUR)
        element.set("fill", "none")
        if "guide" in classes and "horizontal" in context and "y" in context:
            element.set("stroke-opacity", "0")
    for name in classes:
        if name.startswith("color-") and tag != "text" and "text-overlay" not in context:
            colour = SERIES_COLOURS[int(name.removeprefix("color-")) % len(SERIES_COLOURS)]
            element.set("fill", colour)
            element.set("stroke", colour)
    if tag == "text":
        element.set("fill", TEXT_COLOUR)
        if "axis" in context and "y" in context:
            element.set("text-anchor", "end")
        elif ("axis" in context and "x" in context) or "centered" in classes or "no_data" in classes:
            element.set("text-anchor", "middle")
        if "value" in classes:
            element.set("font-size", str(FONT_SIZE))
            element.set("font-weight", "bold")

"""Horizontal bar charts as plain geometry, drawn as inline SVG by includes/bar_chart.html.

The server works out every coordinate, so a chart needs no script and no chart library.
"""

from dataclasses import dataclass

WIDTH = 480
LABEL_WIDTH = 170  # room for the labels, left of the bars
VALUE_WIDTH = 80  # room for the figure, right of the longest bar
BAR_HEIGHT = 22
GAP = 10
MAX_LABEL = 24  # characters; the full label is in the bar's <title> and in the table


@dataclass
class Bar:
    label: str
    short_label: str
    value: int
    value_text: str
    y: int
    width: float
    text_y: int
    value_x: float


@dataclass
class BarChart:
    width: int
    height: int
    label_width: int
    bar_height: int
    label_x: int
    bars: list[Bar]


def shorten(label: str, limit: int = MAX_LABEL) -> str:
    label = str(label)
    return label if len(label) <= limit else label[: limit - 1].rstrip() + "…"


def bar_chart(rows: list[tuple[str, int, str]]) -> BarChart:
    """A chart of `rows` (label, value, text shown after the bar), one bar each, in order."""
    plot = WIDTH - LABEL_WIDTH - VALUE_WIDTH
    largest = max((value for _label, value, _text in rows), default=0)
    bars = []
    for i, (label, value, text) in enumerate(rows):
        y = GAP + i * (BAR_HEIGHT + GAP)
        width = round(plot * value / largest, 1) if largest else 0
        bars.append(
            Bar(
                label=str(label),
                short_label=shorten(label),
                value=value,
                value_text=text,
                y=y,
                width=width,
                text_y=y + BAR_HEIGHT // 2 + 5,
                value_x=LABEL_WIDTH + width + 6,
            )
        )
    return BarChart(
        width=WIDTH,
        height=GAP + len(rows) * (BAR_HEIGHT + GAP),
        label_width=LABEL_WIDTH,
        bar_height=BAR_HEIGHT,
        label_x=LABEL_WIDTH - 8,
        bars=bars,
    )

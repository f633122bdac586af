"""Geometry of the campaign overview's forest plot: per trait, each agreement figure as a point with its 95% interval
on one shared axis. The template draws it as inline SVG (no image request, no plotting library on the page's path)."""

PLOT_WIDTH, LABEL_WIDTH, ROW_HEIGHT, TOP, BOTTOM = 720, 230, 30, 10, 34
# One colour and a small vertical offset per figure, so the three intervals of a trait sit side by side.
SERIES = (("Fleiss κ", "#4fc3f7", -8), ("Krippendorff α", "#ffb74d", 0), ("Gwet AC1", "#aed581", 8))


def forest_plot(rows: list[dict]) -> dict:
    """`rows`: [{"name", "n", "metrics": [{"value", "low", "high"} x3]}] -> what the SVG template needs."""
    lows = [m["low"] for r in rows for m in r["metrics"] if m["low"] is not None]
    lo = min([-0.2, *lows])
    span = PLOT_WIDTH - LABEL_WIDTH - 16

    def x(value: float) -> float:
        return round(LABEL_WIDTH + (max(lo, min(1.0, value)) - lo) / (1.0 - lo) * span, 1)

    out = []
    for i, row in enumerate(rows):
        y = TOP + ROW_HEIGHT * i + ROW_HEIGHT / 2
        marks = [
            {"label": label, "color": color, "y": y + dy, "x": x(m["value"]), "x1": x(m["low"]), "x2": x(m["high"]),
             "value": m["value"], "low": m["low"], "high": m["high"]}
            for (label, color, dy), m in zip(SERIES, row["metrics"], strict=True)
            if m["value"] is not None and m["low"] is not None and m["high"] is not None
        ]
        out.append({"code": row["code"], "name": row["name"], "n": row["n"], "y": y, "marks": marks})
    height = TOP + ROW_HEIGHT * len(rows) + BOTTOM
    ticks = [{"x": x(t), "label": f"{t:g}"} for t in (-1.0, -0.5, 0.0, 0.2, 0.4, 0.6, 0.8, 1.0) if t >= lo]
    return {"width": PLOT_WIDTH, "height": height, "axis_y": height - BOTTOM + 4, "label_x": LABEL_WIDTH - 8,
            "rows": out, "ticks": ticks, "zero_x": x(0.0), "series": SERIES}

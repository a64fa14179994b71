"""The failover timeline as a picture: one row per scenario and daemon, one bar per phase of the
failover (from the failure to the first +sdown, to +odown, to +elected-leader, to the new master
accepting writes, to the new address on all 3 sentinels, to +failover-end), drawn from the medians
of the failover section as an SVG beside the markdown table."""

from xml.sax.saxutils import escape

from bench.failover import FAILOVER_STEPS
from bench.report import METRICS

# The phases drawn, in order: (step key ending the phase, legend text, colour). A phase starts
# where the previous one ended; the first starts at the failure.
PHASES = [
    ("sdown", "failure → +sdown", "#4e79a7"),
    ("odown", "→ +odown", "#f28e2b"),
    ("elected", "→ +elected-leader", "#e15759"),
    ("writable", "→ new master writable", "#76b7b2"),
    ("switched", "→ new address on all 3", "#59a14f"),
    ("failover_end", "→ +failover-end", "#b07aa1"),
]

ROW_HEIGHT = 22
BAR_HEIGHT = 14
CHARACTER_WIDTH = 7  # of the 12-pixel sans-serif font, generously
CHART_WIDTH = 560
LEGEND_HEIGHT = 46
AXIS_HEIGHT = 28


def timeline_rows(daemons):
    """[(scenario, daemon, [(phase key, start s, end s)])] from the failover section's medians;
    a phase whose step was not measured, or whose median lies before the previous step's, is
    drawn empty (the cumulative medians of separate runs need not be ordered)."""
    labels = dict(FAILOVER_STEPS)
    scenarios = []
    for m in METRICS:
        if m.section.startswith("Failover, ") and m.section not in scenarios:
            scenarios.append(m.section)
    rows = []
    for scenario in scenarios:
        by_label = {m.label: m for m in METRICS if m.section == scenario}
        for daemon, _ in daemons:
            bars = []
            previous = 0.0
            for key, _, _ in PHASES:
                m = by_label.get(labels[key])
                end = m.median(daemon) if m else None
                if end is None:
                    continue
                end = max(end, previous)
                bars.append((key, previous, end))
                previous = end
            if bars:
                rows.append((scenario[len("Failover, "):], daemon, bars))
    return rows


def render_svg(daemons):
    """The SVG text, or None when the failover section measured nothing."""
    rows = timeline_rows(daemons)
    if not rows:
        return None
    longest = max(end for _, _, bars in rows for _, _, end in bars) or 1.0
    label_width = 16 + CHARACTER_WIDTH * max(len("%s — %s" % (scenario, daemon)) for scenario, daemon, _ in rows)
    scale = CHART_WIDTH / longest
    colours = {key: colour for key, _, colour in PHASES}
    width = label_width + CHART_WIDTH + 70
    height = LEGEND_HEIGHT + len(rows) * ROW_HEIGHT + AXIS_HEIGHT
    out = ['<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" font-family="sans-serif" '
           'font-size="12">' % (width, height),
           '<rect width="100%" height="100%" fill="white"/>']
    x = 10
    for key, text, colour in PHASES:
        out.append('<rect x="%d" y="10" width="12" height="12" fill="%s"/>' % (x, colour))
        out.append('<text x="%d" y="21">%s</text>' % (x + 16, escape(text)))
        x += 16 + 7 * len(text) + 18
    for index, (scenario, daemon, bars) in enumerate(rows):
        y = LEGEND_HEIGHT + index * ROW_HEIGHT
        out.append('<text x="%d" y="%d" text-anchor="end">%s — %s</text>' % (
            label_width - 8, y + BAR_HEIGHT - 2, escape(scenario), escape(daemon)))
        for key, start, end in bars:
            out.append('<rect x="%.1f" y="%d" width="%.1f" height="%d" fill="%s"><title>%s: %.3f s → %.3f s'
                       '</title></rect>' % (label_width + start * scale, y, (end - start) * scale, BAR_HEIGHT,
                                            colours[key], escape(key), start, end))
        total = bars[-1][2]
        out.append('<text x="%.1f" y="%d">%.2f s</text>' % (label_width + total * scale + 4, y + BAR_HEIGHT - 2,
                                                            total))
    axis_y = LEGEND_HEIGHT + len(rows) * ROW_HEIGHT + 4
    out.append('<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="black"/>' % (
        label_width, axis_y, label_width + CHART_WIDTH, axis_y))
    step = 1.0 if longest <= 12 else 2.0 if longest <= 24 else 5.0
    tick = 0.0
    while tick <= longest + 1e-9:
        tx = label_width + tick * scale
        out.append('<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="black"/>' % (tx, axis_y, tx, axis_y + 4))
        out.append('<text x="%.1f" y="%d" text-anchor="middle">%g s</text>' % (tx, axis_y + 16, tick))
        tick += step
    out.append('</svg>')
    return "\n".join(out) + "\n"


def timeline_path(output):
    """Where the picture goes beside the table written to `output`."""
    stem = output[:-3] if output.endswith(".md") else output
    return stem + "-timeline.svg"

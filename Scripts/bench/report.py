"""What a run measured and how it is shown: metrics collected per daemon, the progress log on
stderr, and the markdown table of medians with ratios."""

import statistics
import sys


class Metric:
    """One row of the table: every value (and every failure) of one measurement, per daemon."""

    def __init__(self, section, label, unit, better, fmt):
        self.section = section
        self.label = label
        self.unit = unit
        self.better = better  # "lower" or "higher"
        self.fmt = fmt
        self.values = {}   # daemon -> [float]
        self.failures = {}  # daemon -> [str]
        self.skips = {}  # daemon -> [str]: runs in which an earlier step's failure left it out

    def add(self, daemon, value):
        self.values.setdefault(daemon, []).append(value)

    def fail(self, daemon, reason):
        self.failures.setdefault(daemon, []).append(reason)

    def skip(self, daemon, reason):
        """Records a run that did not measure this (not a failure of this measurement)."""
        self.skips.setdefault(daemon, []).append(reason)

    def median(self, daemon):
        v = self.values.get(daemon) or []
        return statistics.median(v) if v else None

    def cell(self, daemon):
        """The daemon's median with its unit, and how many runs failed and why."""
        v = self.values.get(daemon) or []
        fails = self.failures.get(daemon) or []
        total = len(v) + len(fails)
        if total == 0:
            skips = self.skips.get(daemon)
            return "not measured: " + "; ".join(sorted(set(skips))) if skips else "not run"
        if not v:
            reasons = sorted(set(fails))
            return "FAILED: " + "; ".join(reasons)
        text = self.fmt(statistics.median(v)) + (" " + self.unit if self.unit else "")
        if fails:
            text += " (%d of %d failed: %s)" % (len(fails), total, "; ".join(sorted(set(fails))))
        return text


# Every metric in the order it was first measured: the table's rows.
METRICS = []
METRIC_INDEX = {}


def metric(section, label, unit, better, fmt):
    """The metric for (section, label), created on first use."""
    key = (section, label)
    if key not in METRIC_INDEX:
        m = Metric(section, label, unit, better, fmt)
        METRICS.append(m)
        METRIC_INDEX[key] = m
    return METRIC_INDEX[key]


def f3(x):
    return "%.3f" % x


def f1(x):
    return "%.1f" % x


def f0(x):
    return "{:,.0f}".format(x)


def log(msg):
    """One line of progress on stderr (stdout carries only the table)."""
    print(msg, file=sys.stderr, flush=True)


def ratio_text(m, a, b):
    x, y = m.median(a), m.median(b)
    if x is None or y is None:
        return "—"
    if y == 0:
        return "∞" if x > 0 else "—"
    return "%.2f×" % (x / y)


def render_table(daemons, meta):
    """A column per daemon, then a ratio of the first daemon to each of the others."""
    names = [name for name, _ in daemons]
    first, others = names[0], names[1:]
    columns = len(names) + len(others) + 2
    lines = []
    header = ["Measurement"] + names + ["ratio %s / %s" % (first, other) for other in others] + \
        ["better"]
    lines.append("| %s |" % " | ".join(header))
    lines.append("|---|" + "---:|" * (len(names) + len(others)) + ":---:|")
    section = None
    for m in METRICS:
        if m.section != section:
            section = m.section
            lines.append("| **%s** |" % section + " |" * (columns - 1))
        cells = [m.label] + [m.cell(name).replace("|", "/") for name in names] + \
            [ratio_text(m, first, other) for other in others] + [m.better]
        lines.append("| %s |" % " | ".join(cells))
    return "\n".join(lines) + "\n\n" + meta + "\n"

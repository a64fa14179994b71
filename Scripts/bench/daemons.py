"""The daemons under comparison: (name, binary) pairs, the first one the build being measured,
the table's ratios that first one against each of the others."""


def alternated(daemons, run):
    """The order in which the daemons are measured in repetition `run`: rotated by one position
    each repetition (for two daemons, the reverse order every other run), so that none is
    always measured first or on a machine warmed by the others."""
    shift = run % len(daemons)
    return list(daemons[shift:]) + list(daemons[:shift])

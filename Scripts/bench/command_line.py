"""The command line: options, the daemons under comparison, the sections run in order, and the
table printed at the end (and written to --output)."""

import argparse
import atexit
import os
import shutil
import signal
import subprocess
import sys
import time

import bench
from bench import processes
from bench.failover import run_failover
from bench.mass import run_mass, run_mass_mixed
from bench.partition import run_partition
from bench.metrics import run_metrics
from bench.processes import cleanup_everything
from bench.report import log, render_table
from bench.resources import run_cpu, run_rss
from bench.scale import SETTLE_S as SCALE_SETTLE_S, run_scale
from bench.startup import run_startup
from bench.throughput import run_bench
from bench.timeline_picture import render_svg, timeline_path
from bench.tls import run_tls

CURRENT_NAME = "swift-sentinel"
REFERENCE_NAME = "redis-sentinel"


def parse_arguments():
    ap = argparse.ArgumentParser(prog="python3 -m bench", description=bench.__doc__.splitlines()[0])
    ap.add_argument("--swift", required=True, help="swift-sentinel binary")
    ap.add_argument("--reference", default="/usr/bin/redis-sentinel",
                    help="reference redis-sentinel binary (default /usr/bin/redis-sentinel)")
    ap.add_argument("--no-reference", action="store_true",
                    help="leave redis-sentinel out (compare the swift-sentinel build with the "
                         "baseline only)")
    ap.add_argument("--baseline-binary",
                    help="another swift-sentinel build (e.g. the previous commit's) run as a "
                         "third daemon; the table gains its column and a ratio swift-sentinel / "
                         "baseline")
    ap.add_argument("--baseline-label", default="baseline",
                    help="the baseline's column name (default: baseline)")
    ap.add_argument("--runs", type=int, default=None,
                    help="repetitions of each measurement (default 3, 1 with --quick; "
                         "the scale section defaults to 1 run)")
    ap.add_argument("--quick", action="store_true",
                    help="smoke run: 1 repetition, short CPU windows, fewer requests")
    ap.add_argument("--output", help="also write the markdown table to this file")
    ap.add_argument("--only", default="startup,rss,bench,tls,failover,cpu,metrics",
                    help="comma-separated subset of: startup,rss,bench,tls,failover,cpu,metrics,"
                         "mass,mass-mixed,partition,scale (metrics: swift-sentinel's metrics port "
                         "only; mass: K = 20 and 50 masters killed at once, opt-in; partition: a "
                         "network partition and its heal in network namespaces, opt-in, needs root; "
                         "scale: N master names on 10 master/replica pairs under 3 sentinels, "
                         "opt-in, see --scale-names)")
    ap.add_argument("--down-after", default=None,
                    help="comma-separated down-after-milliseconds values for the failover rows "
                         "(default 1000,5000; 1000 with --quick)")
    ap.add_argument("--cpu-window", type=float, default=None,
                    help="CPU measurement window in seconds (default 60, 15 with --quick)")
    ap.add_argument("--scale-names", default="200,2000,10000",
                    help="comma-separated numbers of master names of the scale section "
                         "(default 200,2000,10000; each daemon's run at 10,000 can take 10 minutes)")
    ap.add_argument("--partition-seconds", type=float, default=10.0,
                    help="how long the partition scenario keeps host A cut off, from the cut "
                         "(default 10; plus a random phase of up to 1 s)")
    ap.add_argument("--keep", action="store_true", help="keep the temporary directories")
    ap.add_argument("--events", action="store_true",
                    help="log every failover scenario's event timeline to stderr")
    args = ap.parse_args()
    if args.runs is not None and args.runs < 1:
        ap.error("--runs must be at least 1")
    try:
        args.scale_names = [int(x) for x in args.scale_names.split(",") if x.strip()]
    except ValueError:
        ap.error("--scale-names takes comma-separated whole numbers")
    if not args.scale_names or min(args.scale_names) < 2:
        ap.error("--scale-names: every number must be at least 2 (the victim and another name)")
    if args.no_reference and not args.baseline_binary:
        ap.error("--no-reference leaves only one daemon: give a baseline (--baseline or "
                 "--baseline-binary) to compare with")
    if args.baseline_label in (CURRENT_NAME, REFERENCE_NAME):
        ap.error("--baseline-label must differ from %s and %s" % (CURRENT_NAME, REFERENCE_NAME))
    only = set(x.strip() for x in args.only.split(",") if x.strip())
    if args.no_reference and "mass-mixed" in only:
        ap.error("mass-mixed runs redis-sentinel peers: it cannot go with --no-reference")
    binaries = [args.swift] + ([args.baseline_binary] if args.baseline_binary else []) + \
        ([] if args.no_reference else [args.reference])
    for path in binaries:
        if not (os.path.isfile(path) and os.access(path, os.X_OK)):
            ap.error("not an executable: %s" % path)
    for tool in ("redis-server", "redis-benchmark"):
        if shutil.which(tool) is None:
            ap.error("%s not found on PATH" % tool)
    return args, only


def compared_daemons(args):
    """(name, binary) of each daemon: the build under test first, then the baseline, then the
    reference."""
    daemons = [(CURRENT_NAME, os.path.abspath(args.swift))]
    if args.baseline_binary:
        daemons.append((args.baseline_label, os.path.abspath(args.baseline_binary)))
    if not args.no_reference:
        daemons.append((REFERENCE_NAME, args.reference))
    return daemons


def run_description(args, only, daemons, runs, starts, cpu_runs, cpu_window_s, scale_runs,
                    elapsed):
    """The paragraph under the table: how it was measured, what was compared, how to read it."""
    names = [name for name, _ in daemons]
    together = "both daemons" if len(daemons) == 2 else "all %d daemons" % len(daemons)
    compared = ""
    if args.baseline_binary:
        compared += "Baseline: %s (%s). " % (args.baseline_label, os.path.abspath(args.baseline_binary))
    if not args.no_reference:
        version = subprocess.run([args.reference, "--version"], capture_output=True,
                                 text=True).stdout.strip()
        compared += "Reference: %s (%s). " % (args.reference, version)
    ratios = " and ".join("%s / %s" % (names[0], other) for other in names[1:])
    counts = []
    if "startup" in only:
        counts.append("start-up: %d starts" % starts)
    if "cpu" in only:
        counts.append("CPU: %d window(s) of %g s, %s over the same window" % (
            cpu_runs, cpu_window_s, together))
    readings = []
    if "failover" in only:
        readings.append("Failover times are from the failure (kill -9, or DEBUG SLEEP sent) "
                        "except the last row of each block, measured from the old master "
                        "answering PING again.")
    if "scale" in only:
        readings.append("Scale rows: %d run(s) per N, each daemon alone on the machine, the "
                        "redis-servers with --tcp-backlog 4096 and maxclients above the "
                        "sentinels' links; convergence polled once a second with INFO sentinel "
                        "(slaves=1, sentinels=3 for every name) and checked once in SENTINEL "
                        "MASTERS; the CPU window starts %g s after convergence; the victim's "
                        "master killed once no sentinel is in TILT, its new address polled "
                        "every 10 ms; +sdown and +tilt counted in the 3 sentinels' logs." % (scale_runs, SCALE_SETTLE_S))
    if "partition" in only:
        readings.append("Partition times are from the heal, except the first row, from the "
                        "cut; the writer offers 1,000 writes a second to the old master "
                        "throughout.")
    if only <= {"scale"}:
        runs = scale_runs
    return ("Medians of %d run(s)%s, daemons alternated, everything on 127.0.0.1%s, %d CPU "
            "cores, total %.0f s%s. %sRatio%s = %s; \"better\" says whether a lower or a higher "
            "figure is better.%s" % (
                runs, " (%s)" % "; ".join(counts) if counts else "",
                " (the partition on 10.99.0.0/24 inside network namespaces)" if "partition" in only else "",
                os.cpu_count() or 0, elapsed, ", --quick" if args.quick else "", compared,
                "s" if len(names) > 2 else "", ratios,
                "".join(" " + reading for reading in readings)))


def main():
    args, only = parse_arguments()
    processes.KEEP_TEMP = args.keep
    runs = args.runs if args.runs is not None else (1 if args.quick else 3)
    cpu_window_s = args.cpu_window if args.cpu_window is not None else (15.0 if args.quick else 60.0)
    cpu_runs = 1
    scale_runs = args.runs if args.runs is not None else 1
    starts = 10
    requests_p1, requests_p16 = (20000, 100000) if args.quick else (100000, 500000)
    handshake_seconds = 3 if args.quick else 10
    down_after_text = args.down_after or ("1000" if args.quick else "1000,5000")
    down_afters = [int(x) for x in down_after_text.split(",") if x.strip()]
    daemons = compared_daemons(args)

    atexit.register(cleanup_everything)

    def on_signal(signum, _frame):
        cleanup_everything()
        sys.exit(128 + signum)
    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)

    started = time.monotonic()
    sections = [
        ("startup", lambda: run_startup(daemons, starts)),
        ("rss", lambda: run_rss(daemons, runs)),
        ("bench", lambda: run_bench(daemons, runs, requests_p1, requests_p16)),
        # Four times the plain count at -P 16: half a second of TLS requests moved by ±10%
        # between runs of the same build.
        ("tls", lambda: run_tls(daemons, runs, requests_p1, requests_p16 * 4, handshake_seconds)),
        ("failover", lambda: run_failover(daemons, runs, down_afters, ["kill", "sleep"], args.events)),
        ("cpu", lambda: run_cpu(daemons, cpu_runs, cpu_window_s)),
        ("metrics", lambda: run_metrics(daemons, runs)),
        ("mass", lambda: run_mass(daemons, runs, args.events)),
        ("mass-mixed", lambda: run_mass_mixed(daemons[0][1], args.reference, runs, args.events)),
        ("partition", lambda: run_partition(daemons, runs, args.partition_seconds, args.events)),
        ("scale", lambda: run_scale(daemons, scale_runs, args.scale_names, cpu_window_s)),
    ]
    for key, fn in sections:
        if key not in only:
            continue
        log("== %s" % key)
        try:
            fn()
        except Exception as e:  # noqa: BLE001 - keep what was measured
            log("section %s crashed: %s" % (key, e))
    elapsed = time.monotonic() - started

    table = render_table(daemons, run_description(args, only, daemons, runs, starts, cpu_runs,
                                                  cpu_window_s, scale_runs, elapsed))
    print(table)
    if args.output:
        with open(args.output, "w") as f:
            f.write(table)
        picture = render_svg(daemons)
        if picture:
            with open(timeline_path(args.output), "w") as f:
                f.write(picture)
            log("failover timeline picture: %s" % timeline_path(args.output))

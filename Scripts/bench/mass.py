"""Mass failure (opt-in, --only mass): K masters killed at the same instant under 3 sentinels;
mixed fleets (--only mass-mixed) run it with swift-sentinel beside redis-sentinel peers."""

import os
import random
import signal
import time

from bench.daemons import alternated
from bench.deployment import Env, wait_ping, wait_replicated_master
from bench.events import start_collectors, stop_collectors
from bench.processes import free_ports, kill9, wait_until
from bench.report import f0, f3, log, metric
from bench.resp import Conn, call_once

# K masters x R replicas; MASS_CASES=50x2,20x1 in the environment selects some.
MASS_CASES = [tuple(int(n) for n in case.split("x")) for case in os.environ["MASS_CASES"].split(",")] \
    if os.environ.get("MASS_CASES") else [(20, 1), (20, 2), (50, 1), (50, 2)]


def mass_once(binary, groups, replicas, show_events, down_after=1000):
    """K groups of 1 master + `replicas` replicas, 3 sentinels watching all of them (`binary`,
    or a list of 3 binaries for a mixed fleet); every master is killed with SIGKILL at once.
    Returns (seconds until the last group's new address is given by all 3 sentinels,
    just-promoted masters flagged +sdown, groups failed over twice, those +sdown by daemon) or
    an error string."""
    env = Env("mass")
    collectors = []
    try:
        ports = free_ports(groups * (1 + replicas) + 3)
        sports = ports[-3:]
        layout = []
        masters = {}
        fast_sync = ["--repl-diskless-sync-delay", "0"]
        for g in range(groups):
            base = ports[g * (1 + replicas):(g + 1) * (1 + replicas)]
            masters[g] = env.replicated_master(base[0], base[1:], extra=fast_sync)
            layout.append(base)
        for base in layout:
            wait_replicated_master(base[0], base[1:], timeout=60.0)
        monitors = [("group%d" % g, layout[g][0], 2) for g in range(groups)]
        binaries = binary if isinstance(binary, list) else [binary] * 3
        for sp, sentinel_binary in zip(sports, binaries):
            conf = env.sentinel_conf(sp, monitors, down_after=down_after, failover_timeout=20000)
            env.sentinel(sentinel_binary, conf)
        for sp in sports:
            wait_ping(sp)
        want = ",slaves=%d,sentinels=3" % replicas

        def all_seen():
            for sp in sports:
                text = call_once(sp, "INFO", "sentinel")
                if not isinstance(text, str) or text.count(want) != groups:
                    return False
            return True
        wait_until(all_seen, 90.0, "all sentinels to see %d groups" % groups, interval=0.2)
        time.sleep(1.0 + random.uniform(0.0, 1.0))
        collectors = start_collectors(sports)

        t0 = time.monotonic()
        for g in range(groups):
            os.kill(masters[g].pid, signal.SIGKILL)
        for g in range(groups):
            kill9(masters[g])
        pending = {(sp, g) for sp in sports for g in range(groups)}
        done_at = {}
        conns = {sp: Conn(sp, timeout=2.0) for sp in sports}
        deadline = t0 + 60.0
        while pending and time.monotonic() < deadline:
            for sp, g in sorted(pending):
                reply = conns[sp].call("SENTINEL", "GET-MASTER-ADDR-BY-NAME", "group%d" % g)
                if isinstance(reply, list) and len(reply) == 2 and reply[1] != str(layout[g][0]):
                    pending.discard((sp, g))
                    done_at[g] = time.monotonic() - t0
            time.sleep(0.01)
        for c in conns.values():
            c.close()
        if pending:
            return "%d of %d groups not failed over on every sentinel in 60 s" % (
                len({g for _, g in pending}), groups)
        last = max(done_at.values())
        time.sleep(5.0)  # watch for false suspicion and second failovers
        if show_events:
            log_mass_stages(collectors, t0, groups, done_at)
        false_sdowns = 0
        false_by = {}  # which daemon flagged them (tells the peers of a mixed fleet apart)
        twice = set()
        for c, sentinel_binary in zip(collectors, binaries):
            switched = {}
            for _, ch, payload in list(c.events):
                words = payload.split()
                if ch == "+switch-master" and words:
                    switched[words[0]] = switched.get(words[0], 0) + 1
                    if switched[words[0]] > 1:
                        twice.add(words[0])
                elif ch == "+sdown" and len(words) >= 4 and words[0] == "master":
                    name = words[1]
                    if switched.get(name):
                        false_sdowns += 1
                        daemon = os.path.basename(sentinel_binary)
                        false_by[daemon] = false_by.get(daemon, 0) + 1
        return (last, false_sdowns, len(twice), false_by)
    except Exception as e:  # noqa: BLE001 - reported in the table
        return "FAILED: %s" % e
    finally:
        stop_collectors(collectors, 2.0)
        env.close()


MASS_STAGES = ["+sdown", "+odown", "+try-failover", "+elected-leader", "+promoted-slave",
               "+switch-master"]


def log_mass_stages(collectors, t0, groups, done_at):
    """With --events: for each stage, when the first sentinel reached it, per group (median and
    slowest group), and the slowest group's whole timeline: where the time goes."""
    firsts = {stage: {} for stage in MASS_STAGES}
    for c in collectors:
        for t, ch, payload in list(c.events):
            words = payload.split()
            if ch not in firsts or len(words) < 2:
                continue
            name = words[1] if words[0] == "master" else words[0]
            if not name.startswith("group"):
                continue
            g = int(name[5:])
            if g not in firsts[ch] or t - t0 < firsts[ch][g]:
                firsts[ch][g] = t - t0
    parts = []
    for stage in MASS_STAGES:
        values = sorted(firsts[stage].values())
        if values:
            parts.append("%s median %.3f max %.3f (%d groups)" % (
                stage, values[len(values) // 2], values[-1], len(values)))
    log("  stages (first sentinel): " + "; ".join(parts))
    slowest = max(done_at, key=done_at.get)
    timeline = ["%s %.3f" % (stage, firsts[stage][slowest]) for stage in MASS_STAGES if slowest in firsts[stage]]
    log("  slowest group%d: %s; all 3 sentinels %.3f" % (slowest, ", ".join(timeline), done_at[slowest]))


def run_mass(daemons, runs, show_events):
    for r in range(runs):
        order = alternated(daemons, r)
        for groups, replicas in MASS_CASES:
            title = "Mass failure: %d masters killed at once, %d replica(s) each, down-after 1000 ms" % (
                groups, replicas)
            for name, binary in order:
                t = time.monotonic()
                res = mass_once(binary, groups, replicas, show_events)
                last = metric(title, "last group's new address on all 3 sentinels", "s", "lower", f3)
                sdowns = metric(title, "just-promoted masters flagged +sdown", "", "lower", f0)
                twice = metric(title, "groups failed over twice", "", "lower", f0)
                if isinstance(res, tuple):
                    last.add(name, res[0])
                    sdowns.add(name, float(res[1]))
                    twice.add(name, float(res[2]))
                else:
                    for m in (last, sdowns, twice):
                        m.fail(name, res)
                log("[mass run %d/%d] %-15s K=%d R=%d (%.0f s): %s" % (
                    r + 1, runs, name, groups, replicas, time.monotonic() - t, res))


def run_mass_mixed(swift, redis, runs, show_events):
    """Mixed fleets (swift-sentinel beside redis-sentinel peers, binaries `swift` and `redis`)
    under the mass failure: every group must still be failed over once, on every sentinel.
    Logged, not tabulated."""
    fleets = [("2 swift + 1 redis", [swift, swift, redis]), ("1 swift + 2 redis", [swift, redis, redis])]
    runs = min(runs, 2)
    for r in range(runs):
        for groups, replicas in [(20, 1), (20, 2)]:
            for label, binaries in fleets:
                t = time.monotonic()
                res = mass_once(binaries, groups, replicas, show_events)
                log("[mass-mixed run %d/%d] %s K=%d R=%d (%.0f s): %s" % (
                    r + 1, runs, label, groups, replicas, time.monotonic() - t, res))


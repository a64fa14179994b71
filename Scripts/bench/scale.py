"""Scale (opt-in, --only scale): N master names on 10 master/replica pairs of redis-servers,
watched by 3 sentinels of one daemon, each daemon in a deployment of its own and alone on the
machine. Measured per N: the time until every name shows its 2 peers and its replica on all 3
sentinels, CPU and RSS at steady state, the failover of one name among the N, and +sdown of
the names that were never down."""

import os
import re
import time

from bench.daemons import alternated
from bench.deployment import Env, wait_replicated_master
from bench.processes import free_ports, kill9, raise_open_files_ceiling, wait_until
from bench.report import f0, f1, f3, log, metric
from bench.resources import cpu_seconds, vm_rss_kib
from bench.resp import HOST, Conn, Redialer, call_once, info_fields

PAIRS = 10  # master/replica pairs; the last hosts only the victim
SENTINELS = 3
QUORUM = 2
NAME_FORMAT = "scale-%05d"
DOWN_AFTER_MS = 5000
VICTIM = "victim"
VICTIM_DOWN_AFTER_MS = 1000
# Long enough for one failover of a single replica, short enough that a split vote is retried
# (after twice this) well within FAILOVER_DEADLINE_S.
VICTIM_FAILOVER_TIMEOUT_MS = 5000
FAILOVER_DEADLINE_S = 60.0
# A sentinel whose timer was held up 2 s or more is in TILT for 30 s: it does not flag SDOWN
# nor fail over. The failover waits this long for every sentinel to be out of it.
TILT_DEADLINE_S = 45.0
POLL_INTERVAL_S = 1.0
SETTLE_S = 5.0  # after convergence, before the CPU window: past the last hellos' config saves

# One `masterK:` line of INFO sentinel.
INFO_MASTER_LINE = re.compile(
    r"^master\d+:name=(.*),status=[^,]*,address=[^,]*,slaves=(\d+),sentinels=(\d+)$")
# A sentinel's log line of an +sdown event: the instance type and the rest of the event text.
SDOWN_LOG_LINE = re.compile(r"\+sdown (master|slave|sentinel) (.*)$")
# A sentinel's log line of a discovered replica or peer: `+slave slave <ip:port> <ip> <port> @
# <name> ...` or `+sentinel sentinel <run id> <ip> <port> @ <name> ...`.
DISCOVERY_LOG_LINE = re.compile(r"\+(slave|sentinel) \S+ \S+ \S+ \S+ @ (\S+) ")


def convergence_deadline(names):
    """Seconds given to the sentinels to converge on `names` names: generous, the machine may
    be shared, and at most 10 minutes."""
    return min(60.0 + 0.100 * names, 600.0)


# A sentinel that does not share links between names holds a command and a pub/sub link to
# each name's master and to its replica.
LINKS_PER_NAME = 4
# The share of the memory available at a run's start its processes may take (at most
# MEMORY_BUDGET_MAX_KIB: other work shares the machine): redis-servers
# queue every hello for subscribers that do not read (the default pub/sub output buffer limit
# is 32 MB per client, thousands of clients here), which would otherwise swamp the machine.
MEMORY_BUDGET_SHARE = 0.4
MEMORY_BUDGET_MAX_KIB = 6 * 2 ** 20


def open_files_wanted(names):
    """Descriptors a process may need: a sentinel LINKS_PER_NAME per name, a redis-server 2 per
    sentinel and name it hosts; twice the sentinel's, plus room for the rest."""
    return 2 * LINKS_PER_NAME * names + 4096


def open_descriptors(procs):
    """The most descriptors any of the running processes holds."""
    most = 0
    for p in procs:
        try:
            most = max(most, len(os.listdir("/proc/%d/fd" % p.pid)))
        except OSError:
            pass
    return most


def available_memory_kib():
    """MemAvailable of /proc/meminfo, in KiB."""
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemAvailable:"):
                return int(line.split()[1])
    raise RuntimeError("no MemAvailable in /proc/meminfo")


def memory_held_kib(procs):
    """The summed RSS of the processes still running, in KiB."""
    total = 0
    for p in procs:
        try:
            total += vm_rss_kib(p.pid)
        except (OSError, RuntimeError):
            pass
    return total


def scale_monitors(names, pairs):
    """(name, master port, down-after ms, failover-timeout ms or None) of every name: N - 1
    names round-robin over the masters of all pairs but the last, the victim on the last."""
    hosts = pairs[:-1]
    monitors = [(NAME_FORMAT % i, hosts[i % len(hosts)][0], DOWN_AFTER_MS, None)
                for i in range(names - 1)]
    monitors.append((VICTIM, pairs[-1][0], VICTIM_DOWN_AFTER_MS, VICTIM_FAILOVER_TIMEOUT_MS))
    return monitors


def write_scale_conf(env, port, monitors):
    """A sentinel.conf for the sentinel on port with every monitor of `monitors`."""
    lines = []
    for name, master_port, down_after, failover_timeout in monitors:
        lines.append("sentinel monitor %s %s %d %d" % (name, HOST, master_port, QUORUM))
        lines.append("sentinel down-after-milliseconds %s %d" % (name, down_after))
        if failover_timeout is not None:
            lines.append("sentinel failover-timeout %s %d" % (name, failover_timeout))
    return env.sentinel_conf(port, [], extra_lines=lines)


def converged_names(port, timeout):
    """The names the sentinel on port shows with 1 replica and 2 other sentinels (INFO
    sentinel: `slaves` is num-slaves, `sentinels` num-other-sentinels + 1), or None when it
    does not answer within timeout seconds."""
    try:
        text = call_once(port, "INFO", "sentinel", timeout=timeout)
    except (OSError, ValueError, ConnectionError):
        return None
    if not isinstance(text, str):
        return None
    names = set()
    for line in text.splitlines():
        m = INFO_MASTER_LINE.match(line)
        if m and m.group(2) == "1" and m.group(3) == str(SENTINELS):
            names.add(m.group(1))
    return names


def converged_in_log(path):
    """The names whose replica and 2 peers the sentinel's log file shows discovered (for a
    sentinel too busy to answer INFO)."""
    replicas, peers = set(), {}
    try:
        with open(path, errors="replace") as f:
            for line in f:
                m = DISCOVERY_LOG_LINE.search(line)
                if m and m.group(1) == "slave":
                    replicas.add(m.group(2))
                elif m:
                    peers[m.group(2)] = peers.get(m.group(2), 0) + 1
    except OSError:
        return set()
    return {name for name in replicas if peers.get(name, 0) >= SENTINELS - 1}


def wait_converged(env, sports, procs, log_paths, names, t0, deadline_s, budget_kib, open_files,
                   label):
    """Polls INFO sentinel on every sentinel about once a second until each shows every name
    converged. Returns seconds from t0, or a failure text with how many names had converged
    on all sentinels (each sentinel's last answer), which sentinels stopped answering, and
    then how many names the logs show converged on all sentinels. Gives up early when a
    sentinel exits or the deployment's processes hold more than budget_kib."""
    last = {sp: set() for sp in sports}
    silent = set()
    next_log = t0 + 10.0
    while True:
        poll_started = time.monotonic()
        for sp in sports:
            seen = converged_names(sp, timeout=max(1.0, min(5.0, t0 + deadline_s - poll_started)))
            if seen is None:
                silent.add(sp)
            else:
                silent.discard(sp)
                last[sp] = seen
        now = time.monotonic()
        if all(len(last[sp]) == names for sp in sports):
            return now - t0
        exited = [sp for sp, p in zip(sports, procs) if p.poll() is not None]
        everywhere = len(set.intersection(*(last[sp] for sp in sports)))
        held = memory_held_kib(env.procs)
        if exited or held > budget_kib or now - t0 >= deadline_s:
            if exited:
                why = "sentinel(s) on %s exited" % exited
            elif held > budget_kib:
                why = "stopped after %.0f s: its processes held %.1f GiB, sentinels %.1f GiB " \
                    "(budget %.1f GiB)" % (now - t0, held / 2.0 ** 20,
                                           memory_held_kib(procs) / 2.0 ** 20, budget_kib / 2.0 ** 20)
            else:
                why = "did not converge within %.0f s" % deadline_s
            in_logs = len(set.intersection(*(converged_in_log(path) for path in log_paths)))
            descriptors = open_descriptors(procs)
            return "%s (%s of %s names on all %d sentinels%s%s)" % (
                why, f0(everywhere), f0(names), SENTINELS,
                "; %d not answering INFO within 5 s, their logs show %s names with replica and "
                "peers on all %d" % (len(silent), f0(in_logs), SENTINELS) if silent else "",
                "; a sentinel held %s descriptors, its open-files limit" % f0(descriptors)
                if descriptors >= open_files - 64 else "")
        if now >= next_log:
            next_log = now + 10.0
            log("  %s: %.0f s, converged %s of %d names (on all: %d)%s" % (
                label, now - t0, "/".join(str(len(last[sp])) for sp in sports), names,
                everywhere, ", %d silent, in their logs %s" % (len(silent), "/".join(
                    str(len(converged_in_log(path))) for path in log_paths)) if silent else ""))
        time.sleep(max(0.0, poll_started + POLL_INTERVAL_S - time.monotonic()))


def confirm_with_sentinel_masters(sports, names, timeout):
    """Checks the convergence criterion in SENTINEL MASTERS itself: on every sentinel, every
    name with num-other-sentinels 2 and num-slaves 1. Returns None, or what was wrong."""
    problems = []
    for sp in sports:
        conn = Conn(sp, timeout=timeout)
        try:
            reply = conn.call("SENTINEL", "MASTERS")
        finally:
            conn.close()
        if not isinstance(reply, list):
            problems.append("sentinel %d: SENTINEL MASTERS replied %r" % (sp, reply))
            continue
        good = 0
        for entry in reply:
            fields = dict(zip(entry[::2], entry[1::2])) if isinstance(entry, list) else {}
            if fields.get("num-other-sentinels") == str(SENTINELS - 1) and \
                    fields.get("num-slaves") == "1":
                good += 1
        if good != names:
            problems.append("sentinel %d: %d of %d names in SENTINEL MASTERS" % (sp, good, names))
    return "; ".join(problems) or None


def steady_state(procs, window):
    """CPU seconds per minute (mean over procs) over `window` seconds, and the mean RSS in KiB
    at its end; raises RuntimeError when a sentinel exits."""
    start = [cpu_seconds(p.pid) for p in procs]
    t0 = time.monotonic()
    time.sleep(window)
    elapsed = time.monotonic() - t0
    if any(p.poll() is not None for p in procs):
        raise RuntimeError("a sentinel exited during the CPU window")
    cpu = [(cpu_seconds(p.pid) - c0) * 60.0 / elapsed for p, c0 in zip(procs, start)]
    rss = [vm_rss_kib(p.pid) for p in procs]
    log("  CPU s/min per sentinel %s, RSS MiB %s" % (
        " ".join("%.3f" % c for c in cpu), " ".join("%.1f" % (k / 1024.0) for k in rss)))
    return sum(cpu) / len(cpu), sum(rss) / len(rss)


def wait_tilt_over(sports):
    """Waits until no sentinel is in TILT (INFO sentinel_tilt:0); returns the seconds waited."""
    t0 = time.monotonic()
    wait_until(lambda: all(info_fields(call_once(sp, "INFO", "sentinel", timeout=5.0))
                           .get("sentinel_tilt") == "0" for sp in sports),
               TILT_DEADLINE_S, "every sentinel out of TILT", interval=0.2)
    return time.monotonic() - t0


def time_victim_failover(env, victim_master, replica_port, sports):
    """Kills the victim's master with SIGKILL and polls every sentinel every 10 ms until all
    answer GET-MASTER-ADDR-BY-NAME victim with the replica's port. Returns seconds from the
    kill, or a failure text."""
    conns = [Redialer(sp) for sp in sports]
    try:
        t0 = time.monotonic()
        kill9(victim_master)
        env.procs.remove(victim_master)
        pending = set(range(len(sports)))
        while pending and time.monotonic() - t0 < FAILOVER_DEADLINE_S:
            for i in sorted(pending):
                reply = conns[i].call("SENTINEL", "GET-MASTER-ADDR-BY-NAME", VICTIM)
                if isinstance(reply, list) and reply == [HOST, str(replica_port)]:
                    pending.discard(i)
            if pending:
                time.sleep(0.010)
        if pending:
            return "%d of %d sentinels without the new address after %.0f s" % (
                len(pending), len(sports), FAILOVER_DEADLINE_S)
        return time.monotonic() - t0
    finally:
        for c in conns:
            c.close()


def sdown_name(kind, rest):
    """The master name an +sdown event is about: `master <name> <ip> <port>`, or for a replica
    or a sentinel `<instance> <ip> <port> @ <name> <ip> <port>`."""
    words = rest.split()
    if kind == "master":
        return words[0] if words else None
    return words[words.index("@") + 1] if "@" in words[:-1] else None


def count_log_events(log_paths):
    """Over the sentinels' log files: +sdown of every instance (master, replica or peer
    sentinel) of every name but the victim, and +tilt."""
    false_sdowns = tilts = 0
    for path in log_paths:
        try:
            with open(path, errors="replace") as f:
                for line in f:
                    m = SDOWN_LOG_LINE.search(line)
                    if m and sdown_name(m.group(1), m.group(2)) != VICTIM:
                        false_sdowns += 1
                    elif "+tilt " in line:
                        tilts += 1
        except OSError:
            pass
    return false_sdowns, tilts


def start_pairs(env, ports, open_files):
    """PAIRS master/replica pairs on `ports` (master, replica), with room for every sentinel
    link; waits until each replica is online."""
    maxclients = max(1000, open_files - 64)
    extra = ["--maxclients", str(maxclients), "--tcp-backlog", "4096",
             "--repl-diskless-sync-delay", "0"]
    pairs = [(ports[2 * i], ports[2 * i + 1]) for i in range(PAIRS)]
    masters = [env.replicated_master(m, [r], extra=extra) for m, r in pairs]
    for m, r in pairs:
        wait_replicated_master(m, [r], timeout=60.0)
    return pairs, masters


def scale_once(binary, names, cpu_window, label):
    """One deployment of `binary` with `names` names. Returns a dict of results: converged,
    cpu, rss_kib, failover (seconds or a failure text; absent when not reached) and
    false_sdowns (a count)."""
    results = {}
    open_files = raise_open_files_ceiling(open_files_wanted(names))
    budget_kib = min(available_memory_kib() * MEMORY_BUDGET_SHARE, MEMORY_BUDGET_MAX_KIB)
    env = Env("scale", open_files=open_files)
    log_paths = []
    step = "converged"  # the result an error is reported under
    try:
        ports = free_ports(2 * PAIRS + SENTINELS)
        sports = ports[2 * PAIRS:]
        pairs, masters = start_pairs(env, ports, open_files)
        monitors = scale_monitors(names, pairs)
        confs = [write_scale_conf(env, sp, monitors) for sp in sports]
        log_paths = [os.path.join(os.path.dirname(c), "sentinel.log") for c in confs]
        t0 = time.monotonic()
        # Not awaited with PING: a sentinel swamped at start-up may not answer it for minutes
        # (wait_converged reports that as not answering).
        procs = [env.sentinel(binary, conf) for conf in confs]
        converged = wait_converged(env, sports, procs, log_paths, names, t0,
                                   convergence_deadline(names), budget_kib, open_files, label)
        results["converged"] = converged
        if not isinstance(converged, float):
            return results
        log("  %s: converged in %.1f s" % (label, converged))
        problem = confirm_with_sentinel_masters(sports, names, timeout=30.0)
        if problem:
            results["converged"] = "INFO sentinel converged but %s" % problem
            return results
        step = "cpu"
        time.sleep(SETTLE_S)
        cpu, rss_kib = steady_state(procs, cpu_window)
        results["cpu"], results["rss_kib"] = cpu, rss_kib
        step = "failover"
        waited = wait_tilt_over(sports)
        if waited > 0.5:
            log("  %s: waited %.1f s for every sentinel to leave TILT" % (label, waited))
        results["failover"] = time_victim_failover(env, masters[-1], pairs[-1][1], sports)
        return results
    except Exception as e:  # noqa: BLE001 - reported in the table
        results[step] = "setup/run error: %s" % e
        return results
    finally:
        if log_paths:
            results["false_sdowns"], results["tilts"] = count_log_events(log_paths)
        env.close()


# Why the later steps of a run were not measured, by the step that failed.
SKIPPED_AFTER = {"converged": "did not converge", "cpu": "the CPU window failed",
                 "rss_kib": "the CPU window failed", "failover": "the failover failed"}


def record_scale(name, names, cpu_window, res):
    """Adds one run's results to the rows of the N-name section; a step not reached because an
    earlier one failed is recorded as not measured, with why."""
    title = "Scale: %s names on %d master/replica pairs, %d sentinels" % (f0(names), PAIRS, SENTINELS)
    rows = [
        ("converged", metric(title, "converged: every name with 2 peers and 1 replica on all 3 "
                                    "sentinels, from their start", "s", "lower", f1), 1.0),
        ("cpu", metric(title, "CPU per minute per sentinel, %g s window after convergence "
                              "(mean of 3)" % cpu_window, "s", "lower", f3), 1.0),
        ("rss_kib", metric(title, "RSS per sentinel after the window (mean of 3)", "MiB",
                           "lower", f1), 1.0 / 1024.0),
        ("rss_kib", metric(title, "RSS per name (RSS / N)", "KiB", "lower", f1), 1.0 / names),
        ("failover", metric(title, "victim's new address on all 3 sentinels after kill -9 of its "
                                   "master (down-after %d ms; killed once no sentinel is in TILT)" % VICTIM_DOWN_AFTER_MS, "s",
                            "lower", f3), 1.0),
    ]
    why_not = None
    for key, m, scale in rows:
        v = res.get(key)
        if isinstance(v, float):
            m.add(name, v * scale)
        elif v is not None:
            m.fail(name, v)
            why_not = why_not or SKIPPED_AFTER[key]
        else:
            m.skip(name, why_not or "not reached")
    counts = [
        ("false_sdowns", metric(title, "false +sdown (names other than the victim, over the "
                                       "whole run, 3 sentinels)", "", "lower", f0)),
        ("tilts", metric(title, "+tilt (timer held up 2 s or more: no failover for 30 s), over "
                                "the whole run, 3 sentinels", "", "lower", f0)),
    ]
    for key, m in counts:
        if key in res:
            m.add(name, float(res[key]))
        else:
            m.skip(name, "no sentinel started")


def run_scale(daemons, runs, name_counts, cpu_window):
    """Every N of name_counts, each daemon in turn (never two at once: 3 sentinels with
    thousands of names each load the machine's cores), `runs` times."""
    for r in range(runs):
        order = alternated(daemons, r)
        for names in name_counts:
            for name, binary in order:
                label = "[scale run %d/%d] %s N=%d" % (r + 1, runs, name, names)
                t = time.monotonic()
                res = scale_once(binary, names, cpu_window, label)
                record_scale(name, names, cpu_window, res)
                log("%s (%.0f s): %s" % (label, time.monotonic() - t, res))

"""The failover timeline: a master with 2 replicas watched by 3 sentinels of one daemon; the
master fails (kill -9, or DEBUG SLEEP) and each step of the failover is timed from the failure,
the old master's conversion to a replica from its return."""

import random
import time

from bench.daemons import alternated
from bench.deployment import MASTER_NAME, Env, wait_ping, wait_replicated_master, wait_sentinel_view
from bench.events import first_event, start_collectors, stop_collectors
from bench.processes import free_ports, kill9
from bench.report import f3, log, metric
from bench.resp import Conn, Redialer, call_once, info_fields, ping_ok

# The timeline's rows: (key in failover_once's result, label in the table).
FAILOVER_STEPS = [
    ("sdown", "first +sdown of the master"),
    ("odown", "first +odown"),
    ("elected", "+elected-leader"),
    ("writable", "new master writable (SET accepted)"),
    ("switched", "new address on all 3 sentinels"),
    ("failover_end", "+failover-end"),
    ("converted", "old master converted to replica (from its return)"),
]


def failover_once(binary, mode, down_after, show_events):
    """One failover of `binary`'s sentinels, mode "kill" or "sleep". Returns dict step -> seconds
    (float) or a string for a failed/censored step."""
    env = Env("failover")
    collectors = []
    conns = []
    results = {}
    try:
        ports = free_ports(6)
        mport, r1, r2 = ports[0:3]
        sports = ports[3:6]
        master = env.replicated_master(mport, [r1, r2], debug=True)
        wait_replicated_master(mport, [r1, r2])
        sentinels = {}
        for sp in sports:
            conf = env.sentinel_conf(sp, [(MASTER_NAME, mport, 2)], down_after=down_after,
                                     failover_timeout=10000)
            sentinels[sp] = env.sentinel(binary, conf)
        for sp in sports:
            wait_ping(sp)
        for sp in sports:
            wait_sentinel_view(sp, mport, 2, 3, timeout=40.0)
        # Let every sentinel refresh the replicas' INFO once more, then a random phase so the
        # failure does not line up with the sentinels' PING/hello cycles the same way each time.
        time.sleep(1.0 + random.uniform(0.0, 1.0))

        collectors = start_collectors(sports)
        for c in collectors:
            if not c.ready.is_set() or c.error:
                raise RuntimeError("PSUBSCRIBE on sentinel %d failed: %s" % (c.port, c.error))

        sconns = [Redialer(sp) for sp in sports]
        rconns = {r1: Redialer(r1), r2: Redialer(r2)}
        conns.extend(sconns)
        conns.extend(rconns.values())
        sleep_seconds = down_after // 1000 * 3 + 5
        debug_conn = ping_conn = None
        if mode == "sleep":
            debug_conn = Conn(mport)
            ping_conn = Conn(mport)
            conns += [debug_conn, ping_conn]

        # ---- the failure
        t0 = time.monotonic()
        if mode == "kill":
            kill9(master)
            env.procs.remove(master)
        else:
            debug_conn.send("DEBUG", "SLEEP", sleep_seconds)  # not awaited
            ping_conn.send("PING")  # answered when the master returns
        deadline = t0 + 60 + down_after / 1000 * 3 + (sleep_seconds if mode == "sleep" else 0)

        switched_at = writable_at = None
        new_port = None
        restarted = None
        returned_at = None      # the old master answers PING again
        converted_at = None
        convert_gave_up = False
        next_fast = t0
        next_info = None
        failover_end_at = None
        while True:
            now = time.monotonic()
            if now > deadline:
                break
            if failover_end_at is None:
                failover_end_at = first_event(collectors, "+failover-end", "master %s " % MASTER_NAME, t0)
            if new_port is None:
                for c in collectors:
                    for _, ch, payload in list(c.events):
                        if ch == "+switch-master" and payload.startswith(MASTER_NAME + " "):
                            parts = payload.split()
                            if len(parts) == 5 and parts[4] != str(mport):
                                new_port = int(parts[4])
                                break
                    if new_port is not None:
                        break
            # kill -9: restart the old master on the same port right after +failover-end
            if mode == "kill" and failover_end_at is not None and restarted is None:
                restarted = env.redis(mport, debug=True)
            if now >= next_fast:
                next_fast = now + 0.010
                if switched_at is None:
                    answers = []
                    for sc in sconns:
                        a = sc.call("SENTINEL", "GET-MASTER-ADDR-BY-NAME", MASTER_NAME)
                        answers.append(tuple(a) if isinstance(a, list) else None)
                    if all(a is not None and a[1] != str(mport) for a in answers) and \
                            len(set(answers)) == 1:
                        switched_at = time.monotonic()
                        new_port = int(answers[0][1])
                if writable_at is None:
                    for rc in rconns.values():
                        a = rc.call("SET", "sentinel-bench-probe", "1")
                        if a == "OK":
                            writable_at = time.monotonic()
                            break
                if returned_at is None:
                    if mode == "sleep":
                        try:
                            got, reply = ping_conn.poll_reply()
                        except (OSError, ConnectionError):
                            got, reply = False, None
                        if got and reply == "PONG":
                            returned_at = time.monotonic()
                            next_info = returned_at
                    elif restarted is not None and ping_ok(mport, timeout=0.2):
                        returned_at = time.monotonic()
                        next_info = returned_at
            if returned_at is not None and converted_at is None and not convert_gave_up:
                deadline = max(deadline, returned_at + 31)
                if now >= next_info:
                    next_info = now + 0.050
                    try:
                        f = info_fields(call_once(mport, "INFO", "replication", timeout=1.0))
                    except (OSError, ValueError, ConnectionError):
                        f = {}
                    if f.get("role") == "slave" and new_port is not None and \
                            f.get("master_port") == str(new_port):
                        converted_at = time.monotonic()
                    elif time.monotonic() - returned_at > 30:
                        convert_gave_up = True
            done_failover = switched_at is not None and writable_at is not None and \
                failover_end_at is not None
            done_convert = converted_at is not None or convert_gave_up
            if done_failover and done_convert:
                break
            time.sleep(0.002)

        waited = "%.0f s" % (time.monotonic() - t0)
        for key, channel in (("sdown", "+sdown"), ("odown", "+odown"),
                             ("elected", "+elected-leader")):
            t = first_event(collectors, channel, "master %s " % MASTER_NAME, t0)
            results[key] = (t - t0) if t is not None else "no %s in %s" % (channel, waited)
        results["failover_end"] = (failover_end_at - t0) if failover_end_at else \
            "no +failover-end in %s" % waited
        results["writable"] = (writable_at - t0) if writable_at else "no replica writable in %s" % waited
        results["switched"] = (switched_at - t0) if switched_at else \
            "address not switched on all 3 in %s" % waited
        if converted_at is not None:
            results["converted"] = converted_at - returned_at
        elif convert_gave_up:
            results["converted"] = "> 30 s"
        elif returned_at is None:
            results["converted"] = "old master did not return" if failover_end_at or mode == "sleep" \
                else "n/a (no failover)"
        else:
            results["converted"] = "not converted"
        exited = ["sentinel on %d exited with %s" % (sp, p.returncode)
                  for sp, p in sentinels.items() if p.poll() is not None]
        if exited:
            for key, _ in FAILOVER_STEPS:
                if not isinstance(results.get(key), float):
                    results[key] = "%s (%s)" % (results.get(key), ", ".join(exited))
        results["_collector_errors"] = [str(c.error) for c in collectors if c.error]
        if show_events:
            log_timeline(collectors, t0, (("writable", writable_at), ("switched on all 3", switched_at),
                                          ("old master answers PING", returned_at),
                                          ("old master converted", converted_at)))
        return results
    except Exception as e:  # noqa: BLE001 - one failed scenario must not end the run
        reason = "setup/run error: %s" % e
        for key, _ in FAILOVER_STEPS:
            results.setdefault(key, reason)
        return results
    finally:
        stop_collectors(collectors, 1.0)
        for c in conns:
            c.close()
        env.close()


def log_timeline(collectors, t0, marks):
    """With --events: every event after the failure but hellos, then the probes' own marks
    (label, monotonic time or None), in seconds from t0."""
    timeline = sorted((t - t0, c.port, ch, payload) for c in collectors
                      for t, ch, payload in list(c.events)
                      if t >= t0 and ch != "__sentinel__:hello")
    for dt, port, ch, payload in timeline:
        log("    %8.3f  sentinel %d  %s %s" % (dt, port, ch, payload))
    for label, t in marks:
        if t is not None:
            log("    %8.3f  %s" % (t - t0, label))


def run_failover(daemons, runs, down_afters, modes, show_events):
    for r in range(runs):
        order = alternated(daemons, r)
        for down_after in down_afters:
            for mode in modes:
                for name, binary in order:
                    t = time.monotonic()
                    res = failover_once(binary, mode, down_after, show_events)
                    title = "Failover, %s, down-after %d ms" % (
                        "kill -9 master" if mode == "kill" else "DEBUG SLEEP on master", down_after)
                    parts = []
                    for key, label in FAILOVER_STEPS:
                        m = metric(title, label, "s", "lower", f3)
                        v = res.get(key)
                        if isinstance(v, float):
                            m.add(name, v)
                            parts.append("%s %.3f" % (key, v))
                        else:
                            m.fail(name, v or "not measured")
                            parts.append("%s [%s]" % (key, v))
                    log("[failover run %d/%d] %-15s %-5s da=%-4d (%.0f s): %s" % (
                        r + 1, runs, name, mode, down_after, time.monotonic() - t,
                        ", ".join(parts)))
                    if res.get("_collector_errors"):
                        log("    event collector errors: %s" % res["_collector_errors"])


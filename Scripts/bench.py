#!/usr/bin/env python3
"""Side-by-side benchmark of swift-sentinel against the reference redis-sentinel.

Run through Scripts/bench.sh, which installs Redis when missing and builds swift-sentinel
(release, Swift runtime linked statically). Everything runs on 127.0.0.1 on free ports;
every process is started here and stopped by its PID; temporary directories are removed.
Python 3 standard library only.
"""

import argparse
import atexit
import os
import random
import select
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

MASTER_NAME = "mymaster"
HOST = "127.0.0.1"

# --------------------------------------------------------------------------------------
# A minimal RESP2 client


class Err:
    """An error reply (kept as a value, not raised, where callers want to inspect it)."""

    def __init__(self, text):
        self.text = text

    def __repr__(self):
        return "Err(%r)" % self.text


def _parse_strict(buf, pos):
    """Parses one reply from buf at pos: (value, new_pos), or None when incomplete.

    A nil reply is the marker _NIL."""
    end = buf.find(b"\r\n", pos)
    if end < 0:
        return None
    kind = buf[pos:pos + 1]
    line = bytes(buf[pos + 1:end])
    pos = end + 2
    if kind == b"+":
        return line.decode(errors="replace"), pos
    if kind == b"-":
        return Err(line.decode(errors="replace")), pos
    if kind == b":":
        return int(line), pos
    if kind == b"$":
        n = int(line)
        if n < 0:
            return _NIL, pos
        if len(buf) < pos + n + 2:
            return None
        return bytes(buf[pos:pos + n]).decode(errors="replace"), pos + n + 2
    if kind in (b"*", b">", b"~", b"%"):
        n = int(line)
        if n < 0:
            return _NIL, pos
        if kind == b"%":
            n *= 2
        items = []
        for _ in range(n):
            r = _parse_strict(buf, pos)
            if r is None:
                return None
            value, pos = r
            items.append(None if value is _NIL else value)
        return items, pos
    if kind == b"_":
        return _NIL, pos
    raise ValueError("unexpected RESP type byte %r" % kind)


_NIL = object()


class Conn:
    def __init__(self, port, timeout=2.0):
        self.port = port
        self.sock = socket.create_connection((HOST, port), timeout=timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = bytearray()

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass

    def send(self, *args):
        out = [b"*%d\r\n" % len(args)]
        for a in args:
            b = a if isinstance(a, bytes) else str(a).encode()
            out.append(b"$%d\r\n%s\r\n" % (len(b), b))
        self.sock.sendall(b"".join(out))

    def _try_parse(self):
        r = _parse_strict(self.buf, 0)
        if r is None:
            return False, None
        value, pos = r
        del self.buf[:pos]
        return True, (None if value is _NIL else value)

    def read(self):
        while True:
            ok, value = self._try_parse()
            if ok:
                return value
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("connection closed by port %d" % self.port)
            self.buf += chunk

    def poll_reply(self):
        """Returns (True, reply) when a complete reply is available now, else (False, None)."""
        ok, value = self._try_parse()
        if ok:
            return ok, value
        while True:
            readable, _, _ = select.select([self.sock], [], [], 0)
            if not readable:
                return False, None
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("connection closed by port %d" % self.port)
            self.buf += chunk
            ok, value = self._try_parse()
            if ok:
                return ok, value

    def call(self, *args):
        self.send(*args)
        return self.read()


class Redialer:
    """A connection that is re-established after an error (Sentinel's promotion ends with
    CLIENT KILL TYPE normal, which closes our probes on the replicas)."""

    def __init__(self, port, timeout=1.0):
        self.port = port
        self.timeout = timeout
        self.conn = None

    def call(self, *args):
        """Returns the reply, or None when the connection failed."""
        try:
            if self.conn is None:
                self.conn = Conn(self.port, timeout=self.timeout)
            return self.conn.call(*args)
        except (OSError, ConnectionError, ValueError):
            self.close()
            return None

    def close(self):
        if self.conn is not None:
            self.conn.close()
            self.conn = None


def call_once(port, *args, timeout=2.0):
    c = Conn(port, timeout=timeout)
    try:
        return c.call(*args)
    finally:
        c.close()


def ping_ok(port, timeout=0.5):
    try:
        return call_once(port, "PING", timeout=timeout) == "PONG"
    except (OSError, ValueError):
        return False


def info_fields(text):
    fields = {}
    for line in (text or "").splitlines():
        if ":" in line and not line.startswith("#"):
            k, v = line.split(":", 1)
            fields[k] = v.strip()
    return fields


# --------------------------------------------------------------------------------------
# Processes, ports and temporary directories

LIVE = {}  # pid -> Popen


def free_ports(n):
    socks = []
    try:
        for _ in range(n):
            s = socket.socket()
            s.bind((HOST, 0))
            socks.append(s)
        return [s.getsockname()[1] for s in socks]
    finally:
        for s in socks:
            s.close()


def spawn(argv, log_path):
    log = open(log_path, "ab")
    try:
        p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                             close_fds=True)
    finally:
        log.close()
    LIVE[p.pid] = p
    return p


def stop(p, sig=signal.SIGTERM, timeout=5.0):
    """Stops one process we started, by its PID."""
    if p is None:
        return
    if p.poll() is None:
        try:
            os.kill(p.pid, sig)
        except ProcessLookupError:
            pass
        try:
            p.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            try:
                os.kill(p.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            p.wait()
    LIVE.pop(p.pid, None)


def kill9(p):
    try:
        os.kill(p.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    p.wait()
    LIVE.pop(p.pid, None)


def stop_all():
    for p in list(LIVE.values()):
        stop(p, timeout=3.0)


TEMP_DIRS = []
KEEP_TEMP = False
SHOW_EVENTS = False


def make_temp(prefix):
    d = tempfile.mkdtemp(prefix="sentinel-bench-%s." % prefix)
    TEMP_DIRS.append(d)
    return d


def remove_temp(d):
    if KEEP_TEMP:
        return
    shutil.rmtree(d, ignore_errors=True)
    if d in TEMP_DIRS:
        TEMP_DIRS.remove(d)


def cleanup_everything():
    stop_all()
    for d in list(TEMP_DIRS):
        remove_temp(d)


def wait_until(predicate, timeout, what, interval=0.02):
    deadline = time.monotonic() + timeout
    last_error = None
    while time.monotonic() < deadline:
        try:
            if predicate():
                return
        except (OSError, ValueError, ConnectionError) as e:
            last_error = e
        time.sleep(interval)
    raise RuntimeError("timed out after %g s waiting for %s%s" % (
        timeout, what, " (%s)" % last_error if last_error else ""))


class Env:
    """One measurement's processes and temporary directory."""

    def __init__(self, prefix):
        self.dir = make_temp(prefix)
        self.procs = []

    def redis(self, port, replicaof=None, debug=False, extra=()):
        argv = ["redis-server", "--port", str(port), "--bind", HOST, "--save", "",
                "--appendonly", "no", "--daemonize", "no", "--dir", self.dir,
                "--logfile", os.path.join(self.dir, "redis-%d.log" % port)] + list(extra)
        if debug:
            argv += ["--enable-debug-command", "yes"]
        if replicaof:
            argv += ["--replicaof", HOST, str(replicaof)]
        p = spawn(argv, os.path.join(self.dir, "redis-%d.out" % port))
        self.procs.append(p)
        return p

    def sentinel_conf(self, port, monitors, down_after=None, failover_timeout=None):
        """monitors: list of (name, master_port, quorum)."""
        sdir = os.path.join(self.dir, "sentinel-%d" % port)
        os.makedirs(sdir, exist_ok=True)
        lines = ["port %d" % port, "bind %s" % HOST, "daemonize no",
                 'dir "%s"' % sdir, 'logfile "%s"' % os.path.join(sdir, "sentinel.log")]
        for name, mport, quorum in monitors:
            lines.append("sentinel monitor %s %s %d %d" % (name, HOST, mport, quorum))
            if down_after is not None:
                lines.append("sentinel down-after-milliseconds %s %d" % (name, down_after))
            if failover_timeout is not None:
                lines.append("sentinel failover-timeout %s %d" % (name, failover_timeout))
        path = os.path.join(sdir, "sentinel.conf")
        with open(path, "w") as f:
            f.write("\n".join(lines) + "\n")
        return path

    def sentinel(self, binary, conf):
        p = spawn([binary, conf], conf + ".out")
        self.procs.append(p)
        return p

    def close(self):
        for p in reversed(self.procs):
            stop(p)
        self.procs = []
        remove_temp(self.dir)


def wait_ping(port, timeout=10.0):
    wait_until(lambda: ping_ok(port), timeout, "PING on port %d" % port)


def wait_replicas_online(master_port, n, timeout=20.0):
    def ok():
        f = info_fields(call_once(master_port, "INFO", "replication"))
        online = [k for k, v in f.items() if k.startswith("slave") and "state=online" in v]
        return f.get("connected_slaves") == str(n) and len(online) == n
    wait_until(ok, timeout, "%d replicas online on %d" % (n, master_port), interval=0.05)


def wait_sentinel_view(sentinel_port, master_port, slaves, sentinels, timeout=30.0):
    want = "status=ok,address=%s:%d,slaves=%d,sentinels=%d" % (HOST, master_port, slaves,
                                                              sentinels)

    def ok():
        text = call_once(sentinel_port, "INFO", "sentinel")
        return isinstance(text, str) and want in text
    wait_until(ok, timeout, "sentinel %d to report %s" % (sentinel_port, want), interval=0.1)


# --------------------------------------------------------------------------------------
# Results


class Metric:
    def __init__(self, section, label, unit, better, fmt):
        self.section = section
        self.label = label
        self.unit = unit
        self.better = better  # "lower" or "higher"
        self.fmt = fmt
        self.values = {}   # daemon -> [float]
        self.failures = {}  # daemon -> [str]
        self.censored = {}  # daemon -> [str] e.g. "> 30 s"

    def add(self, daemon, value):
        self.values.setdefault(daemon, []).append(value)

    def fail(self, daemon, reason):
        self.failures.setdefault(daemon, []).append(reason)

    def median(self, daemon):
        v = self.values.get(daemon) or []
        return statistics.median(v) if v else None

    def cell(self, daemon):
        v = self.values.get(daemon) or []
        fails = self.failures.get(daemon) or []
        total = len(v) + len(fails)
        if total == 0:
            return "not run"
        if not v:
            reasons = sorted(set(fails))
            return "FAILED: " + "; ".join(reasons)
        text = self.fmt(statistics.median(v)) + (" " + self.unit if self.unit else "")
        if fails:
            text += " (%d of %d failed: %s)" % (len(fails), total, "; ".join(sorted(set(fails))))
        return text


METRICS = []
METRIC_INDEX = {}


def metric(section, label, unit, better, fmt):
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
    print(msg, file=sys.stderr, flush=True)


# --------------------------------------------------------------------------------------
# 1. Failover timeline


class EventCollector(threading.Thread):
    def __init__(self, port, index):
        super().__init__(daemon=True)
        self.port = port
        self.index = index
        self.events = []  # (monotonic time, channel, payload)
        self.stopping = False
        self.ready = threading.Event()
        self.error = None
        self.conn = Conn(port, timeout=2.0)

    def run(self):
        try:
            self.conn.send("PSUBSCRIBE", "*")
            reply = self.conn.read()
            if not (isinstance(reply, list) and reply and reply[0] == "psubscribe"):
                raise RuntimeError("unexpected PSUBSCRIBE reply %r" % (reply,))
            self.ready.set()
            self.conn.sock.settimeout(0.2)
            while not self.stopping:
                try:
                    msg = self.conn.read()
                except socket.timeout:
                    continue
                now = time.monotonic()
                if isinstance(msg, list) and len(msg) == 4 and msg[0] == "pmessage":
                    self.events.append((now, msg[2], msg[3]))
        except Exception as e:  # noqa: BLE001 - reported by the scenario
            if not self.stopping:
                self.error = e
            self.ready.set()
        finally:
            self.conn.close()


FAILOVER_STEPS = [
    ("sdown", "first +sdown of the master"),
    ("odown", "first +odown"),
    ("elected", "+elected-leader"),
    ("writable", "new master writable (SET accepted)"),
    ("switched", "new address on all 3 sentinels"),
    ("failover_end", "+failover-end"),
    ("converted", "old master converted to replica (from its return)"),
]


def first_event(collectors, channel, prefix, after):
    best = None
    for c in collectors:
        for t, ch, payload in list(c.events):
            if ch == channel and payload.startswith(prefix) and t >= after:
                if best is None or t < best:
                    best = t
                break
    return best


def failover_once(binary, mode, down_after):
    """Returns dict step -> seconds (float) or a string for a failed/censored step."""
    env = Env("failover")
    collectors = []
    conns = []
    results = {}
    try:
        ports = free_ports(6)
        mport, r1, r2 = ports[0:3]
        sports = ports[3:6]
        master = env.redis(mport, debug=True)
        env.redis(r1, replicaof=mport)
        env.redis(r2, replicaof=mport)
        for p in (mport, r1, r2):
            wait_ping(p)
        wait_replicas_online(mport, 2)
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

        for i, sp in enumerate(sports):
            c = EventCollector(sp, i)
            c.start()
            collectors.append(c)
        for c in collectors:
            if not c.ready.wait(5.0) or c.error:
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
        if SHOW_EVENTS:
            timeline = sorted((t - t0, c.port, ch, payload) for c in collectors
                              for t, ch, payload in list(c.events)
                              if t >= t0 and ch != "__sentinel__:hello")
            for dt, port, ch, payload in timeline:
                log("    %8.3f  sentinel %d  %s %s" % (dt, port, ch, payload))
            for label, t in (("writable", writable_at), ("switched on all 3", switched_at),
                             ("old master answers PING", returned_at),
                             ("old master converted", converted_at)):
                if t is not None:
                    log("    %8.3f  %s" % (t - t0, label))
        return results
    except Exception as e:  # noqa: BLE001 - one failed scenario must not end the run
        reason = "setup/run error: %s" % e
        for key, _ in FAILOVER_STEPS:
            results.setdefault(key, reason)
        return results
    finally:
        for c in collectors:
            c.stopping = True
        for c in collectors:
            c.join(1.0)
        for c in conns:
            c.close()
        env.close()


def run_failover(daemons, runs, down_afters, modes):
    for r in range(runs):
        order = daemons if r % 2 == 0 else list(reversed(daemons))
        for down_after in down_afters:
            for mode in modes:
                for name, binary in order:
                    t = time.monotonic()
                    res = failover_once(binary, mode, down_after)
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


# --------------------------------------------------------------------------------------
# 1b. Mass failure: K masters killed at the same instant (opt-in: --only mass)

# K masters x R replicas; MASS_CASES=50x2,20x1 in the environment selects some.
MASS_CASES = [tuple(int(n) for n in case.split("x")) for case in os.environ["MASS_CASES"].split(",")] \
    if os.environ.get("MASS_CASES") else [(20, 1), (20, 2), (50, 1), (50, 2)]


def mass_once(binary, groups, replicas, down_after=1000):
    """K groups of 1 master + `replicas` replicas, 3 sentinels watching all of them (`binary`,
    or a list of 3 binaries for a mixed fleet); every
    master is killed with SIGKILL at once. Returns (seconds until the last group's new address
    is given by all 3 sentinels, just-promoted masters flagged +sdown, groups failed over
    twice, those +sdown by daemon) or an error string."""
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
            masters[g] = env.redis(base[0], extra=fast_sync)
            for rp in base[1:]:
                env.redis(rp, replicaof=base[0], extra=fast_sync)
            layout.append(base)
        for base in layout:
            for p in base:
                wait_ping(p)
        for base in layout:
            wait_replicas_online(base[0], replicas, timeout=60.0)
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
        for i, sp in enumerate(sports):
            c = EventCollector(sp, i)
            c.start()
            collectors.append(c)
        for c in collectors:
            c.ready.wait(5.0)

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
        if SHOW_EVENTS:
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
        for c in collectors:
            c.stopping = True
        for c in collectors:
            c.join(2.0)
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


def run_mass(daemons, runs):
    for r in range(runs):
        order = daemons if r % 2 == 0 else list(reversed(daemons))
        for groups, replicas in MASS_CASES:
            title = "Mass failure: %d masters killed at once, %d replica(s) each, down-after 1000 ms" % (
                groups, replicas)
            for name, binary in order:
                t = time.monotonic()
                res = mass_once(binary, groups, replicas)
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


def run_mass_mixed(daemons, runs):
    """Mixed fleets (swift-sentinel beside redis-sentinel peers) under the mass failure: every
    group must still be failed over once, on every sentinel. Logged, not tabulated."""
    swift, redis = daemons[0][1], daemons[1][1]
    fleets = [("2 swift + 1 redis", [swift, swift, redis]), ("1 swift + 2 redis", [swift, redis, redis])]
    runs = min(runs, 2)
    for r in range(runs):
        for groups, replicas in [(20, 1), (20, 2)]:
            for label, binaries in fleets:
                t = time.monotonic()
                res = mass_once(binaries, groups, replicas)
                log("[mass-mixed run %d/%d] %s K=%d R=%d (%.0f s): %s" % (
                    r + 1, runs, label, groups, replicas, time.monotonic() - t, res))


# --------------------------------------------------------------------------------------
# 2. Throughput and latency (redis-benchmark)

BENCH_COMMANDS = [
    ("PING", ["PING"]),
    ("SENTINEL GET-MASTER-ADDR-BY-NAME", ["SENTINEL", "GET-MASTER-ADDR-BY-NAME", MASTER_NAME]),
    ("SENTINEL MASTER", ["SENTINEL", "MASTER", MASTER_NAME]),
    ("INFO sentinel", ["INFO", "sentinel"]),
]


def redis_benchmark(port, cmd, pipeline, requests):
    argv = ["redis-benchmark", "-h", HOST, "-p", str(port), "-c", "50", "-n", str(requests),
            "-P", str(pipeline), "--csv"] + cmd
    out = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                         timeout=300)
    if out.returncode != 0:
        raise RuntimeError("redis-benchmark exited %d: %s" % (out.returncode, out.stderr.strip()[-200:]))
    lines = [l for l in out.stdout.splitlines() if l.startswith('"')]
    if len(lines) < 2:
        raise RuntimeError("no CSV from redis-benchmark: %r" % out.stdout[-200:])
    header = [h.strip('"') for h in lines[0].split(",")]
    row = [v.strip('"') for v in lines[-1].split(",")]
    d = dict(zip(header, row))
    return float(d["rps"]), float(d["p50_latency_ms"]), float(d["p99_latency_ms"])


def run_bench(daemons, runs, requests_p1, requests_p16):
    envs = {}
    ports = {}
    try:
        for name, binary in daemons:
            env = Env("bench")
            envs[name] = env
            try:
                mport, r1, r2, sp = free_ports(4)
                env.redis(mport)
                env.redis(r1, replicaof=mport)
                env.redis(r2, replicaof=mport)
                for p in (mport, r1, r2):
                    wait_ping(p)
                wait_replicas_online(mport, 2)
                env.sentinel(binary, env.sentinel_conf(sp, [(MASTER_NAME, mport, 1)]))
                wait_ping(sp)
                wait_sentinel_view(sp, mport, 2, 1)
                ports[name] = sp
            except Exception as e:  # noqa: BLE001
                ports[name] = e
                log("[bench] %s: setup failed: %s" % (name, e))
        time.sleep(1.0)
        for r in range(runs):
            order = daemons if r % 2 == 0 else list(reversed(daemons))
            for pipeline in (1, 16):
                requests = requests_p1 if pipeline == 1 else requests_p16
                for label, cmd in BENCH_COMMANDS:
                    section = "redis-benchmark -c 50 -P %d" % pipeline
                    m_rps = metric(section, "%s: requests/s" % label, "", "higher", f0)
                    m_p50 = metric(section, "%s: p50 latency" % label, "ms", "lower", f3)
                    m_p99 = metric(section, "%s: p99 latency" % label, "ms", "lower", f3)
                    for name, _ in order:
                        port = ports.get(name)
                        if isinstance(port, Exception):
                            for m in (m_rps, m_p50, m_p99):
                                m.fail(name, "setup failed: %s" % port)
                            continue
                        try:
                            check = call_once(port, *cmd)
                            if isinstance(check, Err):
                                raise RuntimeError("%s answered %s" % (label, check.text))
                            rps, p50, p99 = redis_benchmark(port, cmd, pipeline, requests)
                            m_rps.add(name, rps)
                            m_p50.add(name, p50)
                            m_p99.add(name, p99)
                            log("[bench run %d/%d] %-15s -P %-2d %-32s %10.0f rps  p50 %.3f  p99 %.3f ms" % (
                                r + 1, runs, name, pipeline, label, rps, p50, p99))
                        except Exception as e:  # noqa: BLE001
                            for m in (m_rps, m_p50, m_p99):
                                m.fail(name, str(e))
                            log("[bench run %d/%d] %s -P %d %s: FAILED %s" % (
                                r + 1, runs, name, pipeline, label, e))
    finally:
        for env in envs.values():
            env.close()


# --------------------------------------------------------------------------------------
# 3. RSS and CPU


def vm_rss_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError("no VmRSS for %d" % pid)


CLK_TCK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid):
    with open("/proc/%d/stat" % pid) as f:
        data = f.read()
    fields = data[data.rindex(")") + 2:].split()
    # fields[0] is field 3 (state); utime is field 14, stime field 15.
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def one_master_sentinel(env, binary):
    mport, sp = free_ports(2)
    env.redis(mport)
    wait_ping(mport)
    p = env.sentinel(binary, env.sentinel_conf(sp, [(MASTER_NAME, mport, 1)]))
    wait_ping(sp)
    return p, sp, mport


def run_rss(daemons, runs):
    m = metric("Resources", "RSS after 5 s idle, 1 master", "MiB", "lower", f1)
    for r in range(runs):
        order = daemons if r % 2 == 0 else list(reversed(daemons))
        for name, binary in order:
            env = Env("rss")
            try:
                p, sp, mport = one_master_sentinel(env, binary)
                wait_sentinel_view(sp, mport, 0, 1)
                time.sleep(5.0)
                if p.poll() is not None:
                    raise RuntimeError("sentinel exited with %s" % p.returncode)
                kib = vm_rss_kib(p.pid)
                m.add(name, kib / 1024.0)
                log("[rss run %d/%d] %-15s %.1f MiB" % (r + 1, runs, name, kib / 1024.0))
            except Exception as e:  # noqa: BLE001
                m.fail(name, str(e))
                log("[rss run %d/%d] %s: FAILED %s" % (r + 1, runs, name, e))
            finally:
                env.close()


def start_cpu_subject(name, binary, masters_per_server, servers_count):
    """One sentinel monitoring servers_count redis-servers, masters_per_server names each."""
    env = Env("cpu")
    ports = free_ports(servers_count + 1)
    servers, sp = ports[:servers_count], ports[servers_count]
    try:
        for port in servers:
            env.redis(port)
        for port in servers:
            wait_ping(port)
        if servers_count == 1 and masters_per_server == 1:
            monitors = [(MASTER_NAME, servers[0], 1)]
        else:
            monitors = [("master-%03d" % (i * masters_per_server + j), port, 1)
                        for i, port in enumerate(servers) for j in range(masters_per_server)]
        p = env.sentinel(binary, env.sentinel_conf(sp, monitors))
        wait_ping(sp)
        total = len(monitors)

        def all_ok():
            f = info_fields(call_once(sp, "INFO", "sentinel"))
            return f.get("sentinel_masters") == str(total) and sum(
                1 for k, v in f.items() if k.startswith("master") and "status=ok" in v) == total
        wait_until(all_ok, 30, "%d masters with status=ok" % total, interval=0.2)
        return env, p
    except Exception:
        env.close()
        raise


def run_cpu(daemons, runs, window):
    """Both daemons are measured over the same window (each with its own redis-servers), so
    that background load on the machine affects them alike; idle sentinels use far less than
    one core, so they do not compete with each other."""
    configs = [
        ("CPU per minute, 1 master (%g s window)" % window, 1, 1),
        ("CPU per minute, 200 masters on 20 redis-servers (%g s window)" % window, 10, 20),
    ]
    for r in range(runs):
        for label, per_server, servers_count in configs:
            m = metric("Resources", label, "s", "lower", f3)
            subjects = {}
            try:
                for name, binary in daemons:
                    try:
                        subjects[name] = start_cpu_subject(name, binary, per_server, servers_count)
                    except Exception as e:  # noqa: BLE001
                        m.fail(name, "setup failed: %s" % e)
                        log("[cpu run %d/%d] %s %s: setup FAILED %s" % (r + 1, runs, name, label, e))
                time.sleep(5.0)  # past the start-up burst
                start = {}
                for name, (env, p) in subjects.items():
                    try:
                        start[name] = cpu_seconds(p.pid)
                    except OSError as e:
                        m.fail(name, "sentinel gone: %s" % e)
                t0 = time.monotonic()
                time.sleep(window)
                elapsed = time.monotonic() - t0
                for name, c0 in start.items():
                    env, p = subjects[name]
                    if p.poll() is not None:
                        m.fail(name, "sentinel exited with %s during the window" % p.returncode)
                        continue
                    v = (cpu_seconds(p.pid) - c0) * 60.0 / elapsed
                    m.add(name, v)
                    log("[cpu run %d/%d] %-15s %s: %.3f s/min" % (r + 1, runs, name, label, v))
            finally:
                for env, _ in subjects.values():
                    env.close()


# --------------------------------------------------------------------------------------
# 4. Start-up time


def run_startup(daemons, starts):
    m = metric("Start-up", "process start to PING answered (median of %d starts)" % starts,
               "ms", "lower", f1)
    env = Env("startup")
    try:
        mport, sp = free_ports(2)
        env.redis(mport)
        wait_ping(mport)
        template = env.sentinel_conf(sp, [(MASTER_NAME, mport, 1)])
        with open(template) as f:
            text = f.read()
        for i in range(starts):
            order = daemons if i % 2 == 0 else list(reversed(daemons))
            for name, binary in order:
                with open(template, "w") as f:  # a fresh file each time (no myid yet)
                    f.write(text)
                p = None
                try:
                    t0 = time.monotonic()
                    p = spawn([binary, template], template + ".out")
                    answered = None
                    while time.monotonic() - t0 < 10:
                        try:
                            s = socket.create_connection((HOST, sp), timeout=1.0)
                        except OSError:
                            if p.poll() is not None:
                                raise RuntimeError("exited with %s" % p.returncode)
                            time.sleep(0.001)
                            continue
                        try:
                            s.sendall(b"*1\r\n$4\r\nPING\r\n")
                            data = s.recv(64)
                        except OSError:
                            data = b""
                        finally:
                            s.close()
                        if data.startswith(b"+PONG"):
                            answered = time.monotonic()
                            break
                        time.sleep(0.001)
                    if answered is None:
                        raise RuntimeError("no PONG within 10 s")
                    m.add(name, (answered - t0) * 1000.0)
                except Exception as e:  # noqa: BLE001
                    m.fail(name, str(e))
                    log("[startup %d] %s: FAILED %s" % (i + 1, name, e))
                finally:
                    stop(p)
                    time.sleep(0.1)
        for name, _ in daemons:
            v = m.values.get(name)
            if v:
                log("[startup] %-15s median %.1f ms over %d starts" % (name, statistics.median(v), len(v)))
    except Exception as e:  # noqa: BLE001
        for name, _ in daemons:
            m.fail(name, "setup failed: %s" % e)
    finally:
        env.close()


# --------------------------------------------------------------------------------------
# Table


def ratio_text(m, a, b):
    x, y = m.median(a), m.median(b)
    if x is None or y is None:
        return "—"
    if y == 0:
        return "∞" if x > 0 else "—"
    return "%.2f×" % (x / y)


def render_table(daemons, meta):
    a, b = daemons[0][0], daemons[1][0]
    lines = []
    lines.append("| Measurement | %s | %s | ratio %s / %s | better |" % (a, b, a, b))
    lines.append("|---|---:|---:|---:|:---:|")
    section = None
    for m in METRICS:
        if m.section != section:
            section = m.section
            lines.append("| **%s** | | | | |" % section)
        lines.append("| %s | %s | %s | %s | %s |" % (
            m.label, m.cell(a).replace("|", "/"), m.cell(b).replace("|", "/"),
            ratio_text(m, a, b), m.better))
    return "\n".join(lines) + "\n\n" + meta + "\n"


# --------------------------------------------------------------------------------------


def main():
    global KEEP_TEMP, SHOW_EVENTS
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--swift", required=True, help="swift-sentinel binary")
    ap.add_argument("--reference", default="/usr/bin/redis-sentinel",
                    help="reference redis-sentinel binary (default /usr/bin/redis-sentinel)")
    ap.add_argument("--runs", type=int, default=None,
                    help="repetitions of each measurement (default 3, 1 with --quick)")
    ap.add_argument("--quick", action="store_true",
                    help="smoke run: 1 repetition, short CPU windows, fewer requests")
    ap.add_argument("--output", help="also write the markdown table to this file")
    ap.add_argument("--only", default="startup,rss,bench,failover,cpu",
                    help="comma-separated subset of: startup,rss,bench,failover,cpu,mass "
                         "(mass: K = 20 and 50 masters killed at once, opt-in)")
    ap.add_argument("--down-after", default=None,
                    help="comma-separated down-after-milliseconds values for the failover rows "
                         "(default 1000,5000; 1000 with --quick)")
    ap.add_argument("--cpu-window", type=float, default=None,
                    help="CPU measurement window in seconds (default 60, 15 with --quick)")
    ap.add_argument("--keep", action="store_true", help="keep the temporary directories")
    ap.add_argument("--events", action="store_true",
                    help="log every failover scenario's event timeline to stderr")
    args = ap.parse_args()
    KEEP_TEMP = args.keep
    SHOW_EVENTS = args.events

    runs = args.runs if args.runs is not None else (1 if args.quick else 3)
    if runs < 1:
        ap.error("--runs must be at least 1")
    cpu_window_s = args.cpu_window if args.cpu_window is not None else (15.0 if args.quick else 60.0)
    cpu_runs = 1
    starts = 10
    requests_p1, requests_p16 = (20000, 100000) if args.quick else (100000, 500000)
    only = set(x.strip() for x in args.only.split(",") if x.strip())
    down_after_text = args.down_after or ("1000" if args.quick else "1000,5000")
    down_afters = [int(x) for x in down_after_text.split(",") if x.strip()]

    for path in (args.swift, args.reference):
        if not (os.path.isfile(path) and os.access(path, os.X_OK)):
            ap.error("not an executable: %s" % path)
    for tool in ("redis-server", "redis-benchmark"):
        if shutil.which(tool) is None:
            ap.error("%s not found on PATH" % tool)

    daemons = [("swift-sentinel", os.path.abspath(args.swift)),
               ("redis-sentinel", args.reference)]

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
        ("failover", lambda: run_failover(daemons, runs, down_afters, ["kill", "sleep"])),
        ("cpu", lambda: run_cpu(daemons, cpu_runs, cpu_window_s)),
        ("mass", lambda: run_mass(daemons, runs)),
        ("mass-mixed", lambda: run_mass_mixed(daemons, runs)),
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

    ver = subprocess.run([args.reference, "--version"], capture_output=True, text=True).stdout.strip()
    meta = ("Medians of %d run(s) (start-up: %d starts; CPU: %d window(s) of %g s, both daemons "
            "over the same window), daemons alternated, everything on 127.0.0.1, %d CPU cores, "
            "total %.0f s%s. "
            "Reference: %s (%s). Ratio = swift-sentinel / redis-sentinel; "
            "\"better\" says whether a lower or a higher figure is better. "
            "Failover times are from the failure (kill -9, or DEBUG SLEEP sent) except the last "
            "row of each block, measured from the old master answering PING again." % (
                runs, starts, cpu_runs, cpu_window_s, os.cpu_count() or 0, elapsed,
                ", --quick" if args.quick else "", args.reference, ver))
    table = render_table(daemons, meta)
    print(table)
    if args.output:
        with open(args.output, "w") as f:
            f.write(table)


if __name__ == "__main__":
    main()

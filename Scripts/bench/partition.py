"""The partition heal (opt-in, --only partition; needs root): three hosts in network namespaces
on one bridge — A: the master, replica R1 and sentinel S1; B: sentinel S2 and replica R2; C:
sentinel S3 — and host A cut off the bridge while a writer on A writes to the master. The
majority (S2, S3) fails over to R2; then the network heals, and the scenario times how fast the
old master is demoted, all three sentinels agree and every replica replicates from the new
master, counts the writes the old master still acknowledged after the heal, and checks that
the minority sentinel never started a failover."""

import os
import random
import time

from bench.daemons import alternated
from bench.deployment import MASTER_NAME, Env
from bench.events import start_collectors, stop_collectors
from bench.namespaces import PartitionNetwork, unavailable_reason
from bench import processes
from bench.processes import spawn, stop, wait_until
from bench.report import f0, f3, log, metric
from bench.resp import Redialer, info_fields

DOWN_AFTER_MS = 3000
FAILOVER_TIMEOUT_MS = 10000
# The writer's pace on host A.
WRITES_PER_SECOND = 1000
# Each process: (role, host, port). Ports differ across hosts only to keep the logs readable.
MASTER = ("master", "a", 6379)
REPLICA_A = ("R1", "a", 6380)
REPLICA_B = ("R2", "b", 6381)
SENTINELS = [("S1", "a", 26379), ("S2", "b", 26380), ("S3", "c", 26381)]
MINORITY = "S1"

# The table's rows: (key in partition_once's result, label, unit, formatter).
PARTITION_ROWS = [
    ("majority_switched", "new address on S2 and S3 (from the cut)", "s", f3),
    ("demoted", "old master a replica of the new master (from the heal)", "s", f3),
    ("agreed", "new address on all 3 sentinels (from the heal)", "s", f3),
    ("direct", "old master and R1 replicate from the new master, link up (from the heal)", "s", f3),
    ("writes_after_heal", "writes the old master acknowledged after the heal", "", f0),
    ("minority_failovers", "+try-failover / +elected-leader of the minority sentinel", "", f0),
]


def section_title(partition_seconds):
    return ("Partition heal: master, R1 and S1 cut off from S2, R2 and S3 for %g s, down-after "
            "%d ms" % (partition_seconds, DOWN_AFTER_MS))


class Deployment:
    """The processes of one run on the partition network, and connections to them made inside
    their hosts' namespaces (so the partition never cuts the bench off)."""

    def __init__(self, env, network, binary, verbose):
        self.env = env
        self.network = network
        self.binary = binary
        self.verbose = verbose

    def address(self, host):
        return self.network.addresses[host]

    def connection(self, node, timeout=1.0):
        _, host, port = node
        return Redialer(port, timeout=timeout, host=self.address(host),
                        namespace=self.network.hosts[host])

    def start(self, name, host, argv):
        p = spawn(self.network.hosts[host].command(argv), os.path.join(self.env.dir, name + ".out"))
        self.env.procs.append(p)
        return p

    def redis(self, node, replica_of=None):
        name, host, port = node
        argv = ["redis-server", "--port", str(port), "--bind", self.address(host),
                "--protected-mode", "no", "--save", "", "--appendonly", "no",
                "--daemonize", "no", "--dir", self.env.dir, "--repl-diskless-sync-delay", "0",
                "--logfile", os.path.join(self.env.dir, "redis-%s.log" % name)]
        if replica_of:
            argv += ["--replicaof", self.address(replica_of[1]), str(replica_of[2])]
        return self.start("redis-" + name, host, argv)

    def sentinel(self, node):
        name, host, port = node
        directory = os.path.join(self.env.dir, "sentinel-" + name)
        os.makedirs(directory, exist_ok=True)
        conf = os.path.join(directory, "sentinel.conf")
        lines = ["port %d" % port, "bind %s" % self.address(host), "protected-mode no",
                 "daemonize no", 'dir "%s"' % directory,
                 'logfile "%s"' % os.path.join(directory, "sentinel.log"),
                 "loglevel %s" % ("verbose" if self.verbose else "notice"),
                 "sentinel monitor %s %s %d 2" % (MASTER_NAME, self.address(MASTER[1]), MASTER[2]),
                 "sentinel down-after-milliseconds %s %d" % (MASTER_NAME, DOWN_AFTER_MS),
                 "sentinel failover-timeout %s %d" % (MASTER_NAME, FAILOVER_TIMEOUT_MS)]
        with open(conf, "w") as f:
            f.write("\n".join(lines) + "\n")
        return self.start("sentinel-" + name, host, [self.binary, conf])

    def replication(self, connection):
        """INFO replication of a redis-server as a dict ({} when it does not answer)."""
        reply = connection.call("INFO", "replication")
        return info_fields(reply) if isinstance(reply, str) else {}

    def follows(self, fields, node, link_up=False):
        """Whether INFO replication `fields` are a replica's of `node` (with its link up)."""
        return fields.get("role") == "slave" and \
            fields.get("master_host") == self.address(node[1]) and \
            fields.get("master_port") == str(node[2]) and \
            (not link_up or fields.get("master_link_status") == "up")


def partition_once(binary, partition_seconds, show_events):
    """One partition and heal with `binary`'s sentinels, host A cut off for partition_seconds
    (plus a random phase of up to 1 s, so that the heal does not line up with the sentinels'
    PING and hello cycles the same way each run). Returns dict row key -> float, or a string
    saying why a step was not reached."""
    env = Env("partition")
    network = None
    collectors = []
    conns = []
    writer = None
    results = {}
    try:
        network = PartitionNetwork(["a", "b", "c"])
        d = Deployment(env, network, binary, show_events)
        d.redis(MASTER)
        d.redis(REPLICA_A, replica_of=MASTER)
        d.redis(REPLICA_B, replica_of=MASTER)
        master, replica_a, replica_b = (d.connection(n) for n in (MASTER, REPLICA_A, REPLICA_B))
        sentinels = {node[0]: d.connection(node) for node in SENTINELS}
        conns += [master, replica_a, replica_b] + list(sentinels.values())
        wait_until(lambda: all(d.follows(d.replication(c), MASTER, link_up=True)
                               for c in (replica_a, replica_b)), 30.0, "R1 and R2 linked to the master")
        sentinel_processes = {node[0]: d.sentinel(node) for node in SENTINELS}
        want = "status=ok,address=%s:%d,slaves=2,sentinels=3" % (d.address(MASTER[1]), MASTER[2])
        wait_until(lambda: all(want in (c.call("INFO", "sentinel") or "") for c in sentinels.values()),
                   40.0, "every sentinel to report %s" % want, interval=0.1)
        time.sleep(1.0 + random.uniform(0.0, 1.0))

        collectors = start_collectors([(port, d.address(host), network.hosts[host])
                                       for _, host, port in SENTINELS])
        for c in collectors:
            if not c.ready.is_set() or c.error:
                raise RuntimeError("PSUBSCRIBE on sentinel %d failed: %s" % (c.port, c.error))
        by_name = {node[0]: c for node, c in zip(SENTINELS, collectors)}
        acks_path = os.path.join(env.dir, "writer.acks")
        stop_path = os.path.join(env.dir, "writer.stop")
        writer = d.start("writer", MASTER[1], [
            "python3", "-B", "-m", "bench.partition_writer", d.address(MASTER[1]), str(MASTER[2]),
            str(WRITES_PER_SECOND), acks_path, stop_path])
        wait_until(lambda: os.path.getsize(acks_path) > 0 if os.path.exists(acks_path) else False,
                   10.0, "the writer's first acknowledged write")

        # ---- the cut: the majority must fail over to R2
        new_master = (d.address(REPLICA_B[1]), str(REPLICA_B[2]))
        cut_at = time.monotonic()
        network.cut(MASTER[1])
        majority_at = None
        while majority_at is None and time.monotonic() < cut_at + 60:
            if all(tuple(sentinels[n].call("SENTINEL", "GET-MASTER-ADDR-BY-NAME", MASTER_NAME) or ())
                   == new_master for n in ("S2", "S3")):
                majority_at = time.monotonic()
            time.sleep(0.01)
        if majority_at is None:
            raise RuntimeError("S2 and S3 did not fail over to R2 within 60 s of the cut")
        results["majority_switched"] = majority_at - cut_at
        heal_due = cut_at + partition_seconds + random.uniform(0.0, 1.0)
        time.sleep(max(0.0, heal_due - time.monotonic()))

        # ---- the heal
        heal_at = time.monotonic()
        network.heal(MASTER[1])
        demoted_at = agreed_at = direct_at = None
        while time.monotonic() < heal_at + 60 and None in (demoted_at, agreed_at, direct_at):
            old = d.replication(master)
            if demoted_at is None and d.follows(old, REPLICA_B):
                demoted_at = time.monotonic()
            if agreed_at is None and all(
                    tuple(c.call("SENTINEL", "GET-MASTER-ADDR-BY-NAME", MASTER_NAME) or ()) == new_master
                    for c in sentinels.values()):
                agreed_at = time.monotonic()
            if direct_at is None and d.follows(old, REPLICA_B, link_up=True) and \
                    d.follows(d.replication(replica_a), REPLICA_B, link_up=True):
                direct_at = time.monotonic()
            time.sleep(0.01)
        waited = "%.0f s" % (time.monotonic() - heal_at)
        for key, at, what in (("demoted", demoted_at, "old master not demoted"),
                              ("agreed", agreed_at, "sentinels do not agree"),
                              ("direct", direct_at, "a replica is not linked to the new master")):
            results[key] = (at - heal_at) if at is not None else "%s in %s" % (what, waited)

        open(stop_path, "w").close()
        try:
            writer.wait(timeout=10)
        except Exception:  # noqa: BLE001 - stopped by PID below
            pass
        stop(writer)
        with open(acks_path) as f:
            acks = [float(line) for line in f if line.strip()]
        results["writes_after_heal"] = float(sum(1 for t in acks if t >= heal_at))
        during = sum(1 for t in acks if cut_at <= t < heal_at)
        minority = [(t, ch) for t, ch, _ in list(by_name[MINORITY].events)
                    if ch in ("+try-failover", "+elected-leader")]
        results["minority_failovers"] = float(len(minority))
        exited = ["%s exited with %s" % (name, p.returncode) for name, p in sentinel_processes.items()
                  if p.poll() is not None]
        if exited:
            raise RuntimeError(", ".join(exited))
        log("    writes acknowledged by the old master: %d during the partition, %d after the heal"
            % (during, results["writes_after_heal"]))
        if processes.KEEP_TEMP:
            log("    logs kept in %s" % env.dir)
        if show_events:
            log_timeline(by_name, cut_at, [("cut", cut_at), ("S2 and S3 switched", majority_at),
                                           ("heal", heal_at), ("old master demoted", demoted_at),
                                           ("all 3 sentinels agree", agreed_at),
                                           ("every replica linked to the new master", direct_at)])
        return results
    except Exception as e:  # noqa: BLE001 - one failed scenario must not end the run
        reason = "setup/run error: %s" % e
        for key, _, _, _ in PARTITION_ROWS:
            results.setdefault(key, reason)
        return results
    finally:
        stop_collectors(collectors, 1.0)
        for c in conns:
            c.close()
        if writer is not None:
            stop(writer)
        env.close()
        if network is not None:
            network.delete()


def log_timeline(collectors, t0, marks):
    """With --events: every event but hellos from the cut on, by sentinel name, and the marks
    (label, monotonic time or None), in seconds from the cut."""
    timeline = sorted((t - t0, name, ch, payload) for name, c in collectors.items()
                      for t, ch, payload in list(c.events)
                      if t >= t0 and ch != "__sentinel__:hello")
    timeline += [(t - t0, "--", label, "") for label, t in marks if t is not None]
    for dt, name, ch, payload in sorted(timeline):
        log("    %8.3f  %s  %s %s" % (dt, name, ch, payload))


def run_partition(daemons, runs, partition_seconds, show_events):
    reason = unavailable_reason()
    if reason:
        raise RuntimeError("the partition scenario cannot run: %s" % reason)
    for r in range(runs):
        for name, binary in alternated(daemons, r):
            t = time.monotonic()
            res = partition_once(binary, partition_seconds, show_events)
            parts = []
            for key, label, unit, fmt in PARTITION_ROWS:
                m = metric(section_title(partition_seconds), label, unit, "lower", fmt)
                v = res.get(key)
                if isinstance(v, float):
                    m.add(name, v)
                    parts.append("%s %s" % (key, fmt(v)))
                else:
                    m.fail(name, v or "not measured")
                    parts.append("%s [%s]" % (key, v))
            log("[partition run %d/%d] %-15s (%.0f s): %s" % (r + 1, runs, name,
                                                              time.monotonic() - t, ", ".join(parts)))

"""One measurement's deployment: redis-servers and sentinels started in a temporary directory,
sentinel.conf files written for them, and waits for the topology to settle."""

import os

from bench.processes import make_temp, remove_temp, spawn, stop, wait_until
from bench.resp import HOST, call_once, info_fields, ping_ok

# The name every single-master scenario monitors its master under.
MASTER_NAME = "mymaster"


class Env:
    """One measurement's processes and temporary directory."""

    def __init__(self, prefix, open_files=None):
        """open_files: the soft open-files limit of every process started here (None: inherited)."""
        self.dir = make_temp(prefix)
        self.procs = []
        self.open_files = open_files

    def redis(self, port, replicaof=None, debug=False, extra=()):
        """Starts a redis-server without persistence on port (a replica of `replicaof` when
        given; DEBUG enabled with `debug`)."""
        argv = ["redis-server", "--port", str(port), "--bind", HOST, "--save", "",
                "--appendonly", "no", "--daemonize", "no", "--dir", self.dir,
                "--logfile", os.path.join(self.dir, "redis-%d.log" % port)] + list(extra)
        if debug:
            argv += ["--enable-debug-command", "yes"]
        if replicaof:
            argv += ["--replicaof", HOST, str(replicaof)]
        p = spawn(argv, os.path.join(self.dir, "redis-%d.out" % port), open_files=self.open_files)
        self.procs.append(p)
        return p

    def replicated_master(self, port, replica_ports, debug=False, extra=()):
        """Starts a master on port and a replica of it on each of replica_ports (not awaited:
        see wait_replicated_master); returns the master's process."""
        master = self.redis(port, debug=debug, extra=extra)
        for replica_port in replica_ports:
            self.redis(replica_port, replicaof=port, extra=extra)
        return master

    def sentinel_conf(self, port, monitors, down_after=None, failover_timeout=None, extra_lines=()):
        """monitors: list of (name, master_port, quorum); extra_lines go before them."""
        sdir = os.path.join(self.dir, "sentinel-%d" % port)
        os.makedirs(sdir, exist_ok=True)
        lines = ["port %d" % port, "bind %s" % HOST, "daemonize no",
                 'dir "%s"' % sdir, 'logfile "%s"' % os.path.join(sdir, "sentinel.log")] + list(extra_lines)
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
        """Starts the sentinel `binary` on conf (written by sentinel_conf)."""
        p = spawn([binary, conf], conf + ".out", open_files=self.open_files)
        self.procs.append(p)
        return p

    def close(self):
        """Stops this measurement's processes, newest first, and removes its directory."""
        for p in reversed(self.procs):
            stop(p)
        self.procs = []
        remove_temp(self.dir)


def wait_ping(port, timeout=10.0):
    wait_until(lambda: ping_ok(port), timeout, "PING on port %d" % port)


def wait_replicated_master(port, replica_ports, timeout=20.0):
    """Waits until the master and its replicas answer PING and every replica is online."""
    for p in [port] + list(replica_ports):
        wait_ping(p)
    wait_replicas_online(port, len(replica_ports), timeout=timeout)


def wait_replicas_online(master_port, n, timeout=20.0):
    """Waits until the master reports exactly n connected replicas, all online."""
    def ok():
        f = info_fields(call_once(master_port, "INFO", "replication"))
        online = [k for k, v in f.items() if k.startswith("slave") and "state=online" in v]
        return f.get("connected_slaves") == str(n) and len(online) == n
    wait_until(ok, timeout, "%d replicas online on %d" % (n, master_port), interval=0.05)


def wait_sentinel_view(sentinel_port, master_port, slaves, sentinels, timeout=30.0):
    """Waits until the sentinel's INFO reports the master ok at master_port with that many
    replicas and sentinels (its view of the topology is complete)."""
    want = "status=ok,address=%s:%d,slaves=%d,sentinels=%d" % (HOST, master_port, slaves,
                                                              sentinels)

    def ok():
        text = call_once(sentinel_port, "INFO", "sentinel")
        return isinstance(text, str) and want in text
    wait_until(ok, timeout, "sentinel %d to report %s" % (sentinel_port, want), interval=0.1)


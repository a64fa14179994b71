"""Resources of an idle sentinel: resident memory after 5 s, and CPU seconds per minute with 1
master and with 200 masters, read from /proc/<pid>."""

import os
import time

from bench.daemons import alternated
from bench.deployment import MASTER_NAME, Env, wait_ping, wait_sentinel_view
from bench.processes import free_ports, wait_until
from bench.report import f1, f3, log, metric
from bench.resp import call_once, info_fields


def vm_rss_kib(pid):
    """The process's resident set size (VmRSS) in KiB."""
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError("no VmRSS for %d" % pid)


CLK_TCK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid):
    """The process's CPU time so far, user and system, in seconds."""
    with open("/proc/%d/stat" % pid) as f:
        data = f.read()
    fields = data[data.rindex(")") + 2:].split()
    # fields[0] is field 3 (state); utime is field 14, stime field 15.
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def one_master_sentinel(env, binary):
    """A redis-server and a sentinel of `binary` monitoring it: (process, sentinel port,
    master port)."""
    mport, sp = free_ports(2)
    env.redis(mport)
    wait_ping(mport)
    p = env.sentinel(binary, env.sentinel_conf(sp, [(MASTER_NAME, mport, 1)]))
    wait_ping(sp)
    return p, sp, mport


def run_rss(daemons, runs):
    m = metric("Resources", "RSS after 5 s idle, 1 master", "MiB", "lower", f1)
    for r in range(runs):
        order = alternated(daemons, r)
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


def start_cpu_subject(binary, masters_per_server, servers_count):
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
    """All daemons are measured over the same window (each with its own redis-servers), so
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
                        subjects[name] = start_cpu_subject(binary, per_server, servers_count)
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


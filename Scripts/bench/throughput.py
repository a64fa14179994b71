"""Throughput and latency: redis-benchmark -c 50 at pipeline depths 1 and 16 against one
sentinel of each daemon (monitoring a master with 2 replicas), for four read commands."""

import subprocess
import time

from bench.daemons import alternated
from bench.deployment import MASTER_NAME, Env, wait_ping, wait_replicated_master, wait_sentinel_view
from bench.processes import free_ports
from bench.report import f0, f3, log, metric
from bench.resp import HOST, Err, call_once

BENCH_COMMANDS = [
    ("PING", ["PING"]),
    ("SENTINEL GET-MASTER-ADDR-BY-NAME", ["SENTINEL", "GET-MASTER-ADDR-BY-NAME", MASTER_NAME]),
    ("SENTINEL MASTER", ["SENTINEL", "MASTER", MASTER_NAME]),
    ("INFO sentinel", ["INFO", "sentinel"]),
]


def redis_benchmark(port, cmd, pipeline, requests, connection_options=(), timeout=300):
    """Runs redis-benchmark once (with `connection_options`, e.g. --tls and its certificates);
    returns (requests/s, p50 ms, p99 ms) from its CSV."""
    argv = ["redis-benchmark", "-h", HOST, "-p", str(port)] + list(connection_options) + \
        ["-c", "50", "-n", str(requests), "-P", str(pipeline), "--csv"] + cmd
    out = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                         timeout=timeout)
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
                env.replicated_master(mport, [r1, r2])
                wait_replicated_master(mport, [r1, r2])
                env.sentinel(binary, env.sentinel_conf(sp, [(MASTER_NAME, mport, 1)]))
                wait_ping(sp)
                wait_sentinel_view(sp, mport, 2, 1)
                ports[name] = sp
            except Exception as e:  # noqa: BLE001
                ports[name] = e
                log("[bench] %s: setup failed: %s" % (name, e))
        time.sleep(1.0)
        for r in range(runs):
            order = alternated(daemons, r)
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


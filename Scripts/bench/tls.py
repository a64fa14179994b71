"""TLS: redis-benchmark --tls -c 50 at pipeline depths 1 and 16 against each daemon's TLS port,
new connections per second (parallel `openssl s_time -new`: a full handshake with the client
certificate for every connection), and the resident memory of an idle sentinel with TLS on.
Every daemon serves the same certificates (made by Scripts/generate-test-certificates.sh),
watches a master and two replicas that replicate over TLS, and reaches them, and they it, over
TLS only (tls-replication yes)."""

import os
import re
import subprocess
import time

from bench.daemons import alternated
from bench.deployment import MASTER_NAME, Env, wait_replicated_master, wait_sentinel_view
from bench.processes import free_ports
from bench.report import f0, f1, f3, log, metric
from bench.resources import vm_rss_kib
from bench.resp import HOST
from bench.throughput import redis_benchmark

TLS_COMMANDS = [
    ("PING", ["PING"]),
    ("SENTINEL GET-MASTER-ADDR-BY-NAME", ["SENTINEL", "GET-MASTER-ADDR-BY-NAME", MASTER_NAME]),
    ("SENTINEL MASTER", ["SENTINEL", "MASTER", MASTER_NAME]),
]

GENERATOR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                         "generate-test-certificates.sh")


def make_certificates(env):
    """The certificate folder, made in env's directory."""
    folder = os.path.join(env.dir, "certificates")
    subprocess.run(["bash", GENERATOR, folder], check=True, stdin=subprocess.DEVNULL,
                   capture_output=True, timeout=120)
    return folder


def server_tls_arguments(certs, tls_port):
    return ["--tls-port", str(tls_port), "--tls-cert-file", certs + "/server.crt",
            "--tls-key-file", certs + "/server.key", "--tls-client-cert-file", certs + "/client.crt",
            "--tls-client-key-file", certs + "/client.key", "--tls-ca-cert-file", certs + "/ca.crt",
            "--tls-replication", "yes"]


def sentinel_tls_lines(certs, tls_port):
    return ["tls-port %d" % tls_port, 'tls-cert-file "%s/redis.crt"' % certs,
            'tls-key-file "%s/redis.key"' % certs, 'tls-client-cert-file "%s/client.crt"' % certs,
            'tls-client-key-file "%s/client.key"' % certs, 'tls-ca-cert-file "%s/ca.crt"' % certs,
            "tls-replication yes"]


def tls_deployment(env, binary):
    """A master and two replicas (each with a plain port for the waits and a TLS port the
    sentinel uses), and a sentinel of `binary` with a plain and a TLS port; returns (sentinel
    process, plain port, TLS port, certificate folder)."""
    certs = make_certificates(env)
    mport, r1, r2, mtls, t1, t2, sp, stls = free_ports(8)
    env.redis(mport, extra=server_tls_arguments(certs, mtls))
    for port, tls_port in ((r1, t1), (r2, t2)):
        env.redis(port, extra=server_tls_arguments(certs, tls_port) + ["--replicaof", HOST, str(mtls)])
    wait_replicated_master(mport, [r1, r2])
    conf = env.sentinel_conf(sp, [(MASTER_NAME, mtls, 1)])
    with open(conf, "a") as f:
        f.write("\n".join(sentinel_tls_lines(certs, stls)) + "\n")
    p = env.sentinel(binary, conf)
    wait_sentinel_view(sp, mtls, 2, 1)
    return p, sp, stls, certs


def tls_benchmark(port, certs, cmd, pipeline, requests):
    """Runs redis-benchmark --tls once; returns (requests/s, p50 ms, p99 ms) from its CSV."""
    return redis_benchmark(port, cmd, pipeline, requests, timeout=600, connection_options=[
        "--tls", "--cacert", certs + "/ca.crt", "--cert", certs + "/client.crt", "--key", certs + "/client.key"])


# Clients that make handshakes at once. redis-benchmark -k 0 is not used for this row: it sets
# up OpenSSL anew for every connection (about 5 ms of its own CPU each), which caps it near 175
# connections/s against any server, redis-server included.
HANDSHAKE_CLIENTS = 4


def handshake_rate(port, certs, seconds):
    """Runs HANDSHAKE_CLIENTS `openssl s_time -new` for `seconds` at once; returns completed
    handshakes per second of wall time."""
    argv = ["openssl", "s_time", "-connect", "%s:%d" % (HOST, port), "-new", "-time", str(seconds),
            "-CAfile", certs + "/ca.crt", "-cert", certs + "/client.crt", "-key", certs + "/client.key"]
    start = time.monotonic()
    clients = [subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, text=True) for _ in range(HANDSHAKE_CLIENTS)]
    outputs = [c.communicate(timeout=seconds + 120)[0] for c in clients]
    elapsed = time.monotonic() - start
    total = 0
    for client, output in zip(clients, outputs):
        found = re.search(r"(\d+) connections in [\d.]+s;", output)
        if client.returncode != 0 or not found:
            raise RuntimeError("openssl s_time exited %d: %s" % (client.returncode, output.strip()[-200:]))
        total += int(found.group(1))
    return total / elapsed


def run_tls(daemons, runs, requests_p1, requests_p16, handshake_seconds):
    envs = {}
    targets = {}
    rss = metric("TLS", "RSS after 5 s idle, TLS port and TLS links, 1 master + 2 replicas", "MiB",
                 "lower", f1)
    try:
        for name, binary in daemons:
            env = Env("tls")
            envs[name] = env
            try:
                p, _, tls_port, certs = tls_deployment(env, binary)
                targets[name] = (p, tls_port, certs)
            except Exception as e:  # noqa: BLE001
                targets[name] = e
                log("[tls] %s: setup failed: %s" % (name, e))
        time.sleep(5.0)
        for name, _ in daemons:
            target = targets[name]
            if isinstance(target, Exception):
                rss.fail(name, "setup failed: %s" % target)
                continue
            kib = vm_rss_kib(target[0].pid)
            rss.add(name, kib / 1024.0)
            log("[tls rss] %-15s %.1f MiB" % (name, kib / 1024.0))
        for r in range(runs):
            order = alternated(daemons, r)
            cases = [(1, label, cmd, requests_p1) for label, cmd in TLS_COMMANDS] + \
                [(16, label, cmd, requests_p16) for label, cmd in TLS_COMMANDS]
            for pipeline, label, cmd, requests in cases:
                section = "redis-benchmark --tls -c 50 -P %d" % pipeline
                m_rps = metric(section, "%s: requests/s" % label, "", "higher", f0)
                m_p50 = metric(section, "%s: p50 latency" % label, "ms", "lower", f3)
                m_p99 = metric(section, "%s: p99 latency" % label, "ms", "lower", f3)
                for name, _ in order:
                    target = targets[name]
                    if isinstance(target, Exception):
                        for m in (m_rps, m_p50, m_p99):
                            m.fail(name, "setup failed: %s" % target)
                        continue
                    try:
                        rps, p50, p99 = tls_benchmark(target[1], target[2], cmd, pipeline, requests)
                        m_rps.add(name, rps)
                        m_p50.add(name, p50)
                        m_p99.add(name, p99)
                        log("[tls run %d/%d] %-15s -P %-2d %-44s %10.0f rps  p50 %.3f  p99 %.3f ms" % (
                            r + 1, runs, name, pipeline, label, rps, p50, p99))
                    except Exception as e:  # noqa: BLE001
                        for m in (m_rps, m_p50, m_p99):
                            m.fail(name, str(e))
                        log("[tls run %d/%d] %s -P %d %s: FAILED %s" % (r + 1, runs, name, pipeline, label, e))
            m_handshakes = metric("TLS handshakes", "new connections/s, %d openssl s_time -new at once "
                                  "(a full handshake each, client certificate)" % HANDSHAKE_CLIENTS,
                                  "", "higher", f0)
            for name, _ in order:
                target = targets[name]
                if isinstance(target, Exception):
                    m_handshakes.fail(name, "setup failed: %s" % target)
                    continue
                try:
                    rate = handshake_rate(target[1], target[2], handshake_seconds)
                    m_handshakes.add(name, rate)
                    log("[tls run %d/%d] %-15s handshakes %10.0f /s" % (r + 1, runs, name, rate))
                except Exception as e:  # noqa: BLE001
                    m_handshakes.fail(name, str(e))
                    log("[tls run %d/%d] %s handshakes: FAILED %s" % (r + 1, runs, name, e))
    finally:
        for env in envs.values():
            env.close()

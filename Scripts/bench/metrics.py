"""The metrics port (--only metrics): the CPU one /metrics scrape costs a sentinel monitoring
200 masters, and the PING latency on the client port while a scraper never reads its
responses, or while another scrapes back to back. Only daemons that serve metrics-port are
measured (swift-sentinel; redis-sentinel has no such port, a baseline built before it neither)."""

import multiprocessing
import socket
import statistics
import subprocess
import time

from bench.daemons import alternated
from bench.deployment import Env, wait_ping
from bench.processes import free_ports, wait_until
from bench.report import f3, log, metric
from bench.resources import cpu_seconds
from bench.resp import HOST, Conn, call_once, info_fields

SECTION = "Metrics endpoint, 200 masters on 20 redis-servers"
REQUEST = b"GET /metrics HTTP/1.1\r\nHost: bench\r\n\r\n"


def serves_metrics(binary):
    """Whether `binary` accepts metrics-port (checked with --test-config on a scratch file)."""
    env = Env("metrics-probe")
    try:
        path = env.sentinel_conf(free_ports(1)[0], [], extra_lines=["metrics-port 1"])
        return subprocess.run([binary, "--test-config", path], capture_output=True).returncode == 0
    finally:
        env.close()


def start_subject(binary):
    """A sentinel with a metrics port monitoring 200 masters (10 names on each of 20
    redis-servers), all ok: (env, process, client port, metrics port)."""
    env = Env("metrics")
    ports = free_ports(22)
    servers, sp, mp = ports[:20], ports[20], ports[21]
    try:
        for port in servers:
            env.redis(port)
        for port in servers:
            wait_ping(port)
        monitors = [("master-%03d" % (i * 10 + j), port, 1) for i, port in enumerate(servers) for j in range(10)]
        p = env.sentinel(binary, env.sentinel_conf(sp, monitors, extra_lines=["metrics-port %d" % mp]))
        wait_ping(sp)

        def all_ok():
            f = info_fields(call_once(sp, "INFO", "sentinel"))
            return f.get("sentinel_masters") == "200" and sum(
                1 for k, v in f.items() if k.startswith("master") and "status=ok" in v) == 200
        wait_until(all_ok, 30, "200 masters with status=ok", interval=0.2)
        return env, p, sp, mp
    except Exception:
        env.close()
        raise


class Scraper:
    """A keep-alive HTTP/1.1 connection reading whole /metrics responses."""

    def __init__(self, port):
        self.sock = socket.create_connection((HOST, port), timeout=5.0)
        self.buf = b""

    def scrape(self):
        """One GET /metrics; returns the body's length."""
        self.sock.sendall(REQUEST)
        while b"\r\n\r\n" not in self.buf:
            self.buf += self.sock.recv(1 << 20)
        head, rest = self.buf.split(b"\r\n\r\n", 1)
        if not head.startswith(b"HTTP/1.1 200 "):
            raise RuntimeError("scrape answered %r" % head[:40])
        length = next(int(line.split(b":")[1]) for line in head.split(b"\r\n")
                      if line.lower().startswith(b"content-length:"))
        while len(rest) < length:
            rest += self.sock.recv(1 << 20)
        self.buf = rest[length:]
        return length

    def close(self):
        self.sock.close()


def scrape_cpu(pid, port, scrapes=300, idle_window=5.0):
    """CPU milliseconds of one scrape: the CPU used by `scrapes` back-to-back scrapes minus the
    idle rate over the same time (the 200 masters' own monitoring), per scrape. Returns
    (ms per scrape, body size in bytes)."""
    scraper = Scraper(port)
    try:
        size = scraper.scrape()
        c0, t0 = cpu_seconds(pid), time.monotonic()
        time.sleep(idle_window)
        idle_rate = (cpu_seconds(pid) - c0) / (time.monotonic() - t0)
        c0, t0 = cpu_seconds(pid), time.monotonic()
        for _ in range(scrapes):
            scraper.scrape()
        elapsed = time.monotonic() - t0
        used = cpu_seconds(pid) - c0
        return max(0.0, used - idle_rate * elapsed) / scrapes * 1000.0, size
    finally:
        scraper.close()


def ping_latencies(port, count=3000):
    """Milliseconds of `count` PINGs sent one after the other on one connection."""
    conn = Conn(port, timeout=5.0)
    try:
        latencies = []
        for _ in range(count):
            t = time.perf_counter()
            if conn.call("PING") != "PONG":
                raise RuntimeError("PING not answered PONG")
            latencies.append((time.perf_counter() - t) * 1000.0)
        return latencies
    finally:
        conn.close()


def stalled_scraper(port, requests=1000):
    """A connection that sends `requests` pipelined GET /metrics and never reads (its receive
    buffer kept small so the responses pile up on the sentinel's side)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.connect((HOST, port))
    sock.settimeout(5.0)
    sock.sendall(REQUEST * requests)
    return sock


def scrape_forever(port, stop):
    """Scrapes back to back until `stop` is set (run in its own process, so that the PINGs
    measured meanwhile never wait for this Python's interpreter lock)."""
    scraper = Scraper(port)
    while not stop.is_set():
        scraper.scrape()
    scraper.close()


def p99(values):
    return statistics.quantiles(values, n=100)[98]


def run_metrics(daemons, runs):
    served = []
    for name, binary in daemons:
        if serves_metrics(binary):
            served.append((name, binary))
        else:
            log("[metrics] %s has no metrics-port: not measured" % name)
    cpu = metric(SECTION, "CPU per /metrics scrape", "ms", "lower", f3)
    size = metric(SECTION, "/metrics response size", "KiB", "lower", lambda x: "%.0f" % x)
    quiet = metric(SECTION, "PING p99 latency, no scraper", "ms", "lower", f3)
    quiet_max = metric(SECTION, "PING max latency, no scraper", "ms", "lower", f3)
    stalled_p99 = metric(SECTION, "PING p99 latency, a scraper that never reads", "ms", "lower", f3)
    stalled_max = metric(SECTION, "PING max latency, a scraper that never reads", "ms", "lower", f3)
    busy_max = metric(SECTION, "PING max latency, scrapes back to back", "ms", "lower", f3)
    for r in range(runs):
        for name, binary in alternated(served, r):
            env = None
            try:
                env, p, sp, mp = start_subject(binary)
                time.sleep(3.0)  # past the start-up burst
                per_scrape, body = scrape_cpu(p.pid, mp)
                cpu.add(name, per_scrape)
                size.add(name, body / 1024.0)
                baseline = ping_latencies(sp)
                quiet.add(name, p99(baseline))
                quiet_max.add(name, max(baseline))
                sock = stalled_scraper(mp)
                try:
                    with_stalled = ping_latencies(sp)
                    # The sentinel still serves another scraper meanwhile.
                    Scraper(mp).scrape()
                finally:
                    sock.close()
                stalled_p99.add(name, p99(with_stalled))
                stalled_max.add(name, max(with_stalled))
                stop = multiprocessing.Event()
                loop = multiprocessing.Process(target=scrape_forever, args=(mp, stop))
                loop.start()
                try:
                    busy = ping_latencies(sp)
                finally:
                    stop.set()
                    loop.join(10.0)
                busy_max.add(name, max(busy))
                if p.poll() is not None:
                    raise RuntimeError("sentinel exited with %s" % p.returncode)
                log("[metrics run %d/%d] %-15s scrape %.3f ms CPU, %.0f KiB; PING p99 %.3f ms (max %.3f) quiet, "
                    "%.3f ms (max %.3f) with a stalled scraper, max %.3f ms with scrapes back to back" % (
                        r + 1, runs, name, per_scrape, body / 1024.0, p99(baseline), max(baseline),
                        p99(with_stalled), max(with_stalled), max(busy)))
            except Exception as e:  # noqa: BLE001 - reported in the table
                for m in (cpu, size, quiet, quiet_max, stalled_p99, stalled_max, busy_max):
                    m.fail(name, str(e))
                log("[metrics run %d/%d] %s: FAILED %s" % (r + 1, runs, name, e))
            finally:
                if env is not None:
                    env.close()

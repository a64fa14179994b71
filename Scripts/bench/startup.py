"""Start-up time: from starting the sentinel process to its first PONG, over fresh
configuration files (no myid yet), the daemons alternated start by start."""

import socket
import statistics
import time

from bench.daemons import alternated
from bench.deployment import MASTER_NAME, Env, wait_ping
from bench.processes import free_ports, spawn, stop
from bench.report import f1, log, metric
from bench.resp import HOST

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
            order = alternated(daemons, i)
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


"""Sentinel events as they happen: a PSUBSCRIBE * listener per sentinel that stamps every
message with the monotonic clock, and look-ups over what the listeners collected."""

import socket
import threading
import time

from bench.resp import HOST, Conn


class EventCollector(threading.Thread):
    """Collects (monotonic time, channel, payload) of every pub/sub message of one sentinel
    until `stopping` is set; `ready` is set once subscribed (or on error, kept in `error`)."""

    def __init__(self, port, host=HOST, namespace=None):
        super().__init__(daemon=True)
        self.port = port
        self.events = []  # (monotonic time, channel, payload)
        self.stopping = False
        self.ready = threading.Event()
        self.error = None
        self.conn = Conn(port, timeout=2.0, host=host, namespace=namespace)

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


def start_collectors(ports):
    """A started collector on each sentinel port (or (port, host, namespace) for a sentinel in a
    network namespace), each given up to 5 s to subscribe; the caller checks `ready` and `error`
    and stops them with stop_collectors."""
    collectors = []
    try:
        for port in ports:
            c = EventCollector(*port) if isinstance(port, tuple) else EventCollector(port)
            c.start()
            collectors.append(c)
    except Exception:
        stop_collectors(collectors, 1.0)
        raise
    for c in collectors:
        c.ready.wait(5.0)
    return collectors


def stop_collectors(collectors, timeout):
    """Asks every collector to stop, then gives each up to timeout seconds to end."""
    for c in collectors:
        c.stopping = True
    for c in collectors:
        c.join(timeout)


def first_event(collectors, channel, prefix, after):
    """The earliest time, over all collectors, of a message on channel whose payload starts with
    prefix, at or after `after` (None when there is none)."""
    best = None
    for c in collectors:
        for t, ch, payload in list(c.events):
            if ch == channel and payload.startswith(prefix) and t >= after:
                if best is None or t < best:
                    best = t
                break
    return best


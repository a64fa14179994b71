"""The partition scenario's client on the minority side: `python3 -m bench.partition_writer HOST
PORT RATE ACKS STOP`, run inside host A's network namespace, sends `SET` to the old master at
HOST:PORT at RATE writes a second, one at a time, and appends the monotonic time of every write
acknowledged with +OK to the file ACKS (one time a line, flushed every 0.1 s) until the file
STOP exists. An error reply (READONLY once the master is demoted) or a lost connection is not
an acknowledgement; the writer reconnects and goes on."""

import os
import sys
import time

from bench.resp import Conn


def main():
    host, port, rate, acks_path, stop_path = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), \
        sys.argv[4], sys.argv[5]
    interval = 1.0 / rate
    conn = None
    pending = []
    sequence = 0
    next_write = time.monotonic()
    next_flush = next_write + 0.1
    with open(acks_path, "a") as acks:
        while not os.path.exists(stop_path):
            now = time.monotonic()
            if now >= next_flush:
                acks.write("".join("%.6f\n" % t for t in pending))
                acks.flush()
                pending = []
                next_flush = now + 0.1
            if now < next_write:
                time.sleep(min(next_write, next_flush) - now)
                continue
            # Keep the pace; after a stall (a reconnection) start again from now, no burst.
            next_write = max(next_write + interval, now - interval)
            sequence += 1
            try:
                if conn is None:
                    conn = Conn(port, timeout=1.0, host=host)
                reply = conn.call("SET", "partition-writer:%d" % sequence, "1")
            except (OSError, ConnectionError, ValueError):
                if conn is not None:
                    conn.close()
                conn = None
                time.sleep(0.01)
                continue
            if reply == "OK":
                pending.append(time.monotonic())
        acks.write("".join("%.6f\n" % t for t in pending))
    if conn is not None:
        conn.close()


if __name__ == "__main__":
    main()

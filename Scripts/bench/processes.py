"""The processes and temporary directories of a run: every process is started here, recorded by
PID and stopped by that PID; every temporary directory is recorded and removed (unless kept)."""

import os
import resource
import shutil
import signal
import socket
import subprocess
import tempfile
import time

from bench.namespaces import delete_all_namespaces
from bench.resp import HOST

LIVE = {}  # pid -> Popen of every process started and not yet stopped
TEMP_DIRS = []
KEEP_TEMP = False  # --keep: leave the temporary directories for inspection


def free_ports(n):
    """n distinct TCP ports free on HOST now (bound together, then released)."""
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


def raise_open_files_ceiling(wanted):
    """Raises this process's hard open-files limit (RLIMIT_NOFILE) towards `wanted` where it may
    (with CAP_SYS_RESOURCE, up to fs.nr_open), leaving its soft limit as it is, so that children
    can raise their soft limit that far; returns the hard limit afterwards."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    try:
        with open("/proc/sys/fs/nr_open") as f:
            wanted = min(wanted, int(f.read()))
    except (OSError, ValueError):
        pass
    if wanted > hard:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (soft, wanted))
        except (ValueError, OSError):
            pass
    return resource.getrlimit(resource.RLIMIT_NOFILE)[1]


def _open_files_raiser(limit):
    """A preexec_fn that raises the child's soft open-files limit to `limit` (at most its hard
    limit)."""
    def raise_limit():
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(limit, hard)), hard))
    return raise_limit


def spawn(argv, log_path, open_files=None):
    """Starts argv with its output appended to log_path and records it in LIVE; with
    open_files, the child's soft open-files limit is raised to that many first (see
    raise_open_files_ceiling)."""
    log = open(log_path, "ab")
    try:
        p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                             close_fds=True,
                             preexec_fn=_open_files_raiser(open_files) if open_files else None)
    finally:
        log.close()
    LIVE[p.pid] = p
    return p


def _signal(p, sig):
    """Sends sig to the process we started (already gone is fine)."""
    try:
        os.kill(p.pid, sig)
    except ProcessLookupError:
        pass


def stop(p, sig=signal.SIGTERM, timeout=5.0):
    """Stops one process we started, by its PID: sig, then SIGKILL after timeout seconds."""
    if p is None:
        return
    if p.poll() is None:
        _signal(p, sig)
        try:
            p.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            _signal(p, signal.SIGKILL)
            p.wait()
    LIVE.pop(p.pid, None)


def kill9(p):
    """Kills one process we started with SIGKILL (no chance to clean up) and reaps it."""
    _signal(p, signal.SIGKILL)
    p.wait()
    LIVE.pop(p.pid, None)


def stop_all():
    for p in list(LIVE.values()):
        stop(p, timeout=3.0)


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
    """Stops every process still running, then deletes every network namespace and removes every
    temporary directory (at exit and on SIGINT/SIGTERM)."""
    stop_all()
    delete_all_namespaces()
    for d in list(TEMP_DIRS):
        remove_temp(d)


def wait_until(predicate, timeout, what, interval=0.02):
    """Polls predicate until it is true; raises RuntimeError naming `what` after timeout
    seconds (with the last connection error, if any)."""
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

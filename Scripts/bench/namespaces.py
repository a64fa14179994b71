"""Three "hosts" on one private network, each a Linux network namespace with one veth into a
bridge that lives in a fourth namespace, and a partition that cuts one host off the bridge.

Nothing of it exists outside the namespaces: the addresses (10.99.0.0/24) are configured only
inside them, and the bench reaches a process through a socket created inside that process's
namespace (setns(2) on the creating thread, then back), never from the machine's own network,
where 10.99.0.0/24 is not routed to them. Needs root and `ip`/`bridge` from iproute2 (bench.sh
installs iproute2 when missing)."""

import ctypes
import itertools
import os
import shutil
import socket
import subprocess

# setns(2) flag for a network namespace (CLONE_NEWNET in <sched.h>).
CLONE_NEWNET = 0x40000000
# Bridge port STP states (`bridge link set ... state N`): a disabled port forwards nothing in
# either direction while both ends of its veth keep their carrier, as when a switch drops a
# host; forwarding is the normal state.
PORT_DISABLED = "0"
PORT_FORWARDING = "3"

_libc = ctypes.CDLL(None, use_errno=True)
_serial = itertools.count(1)
# Every namespace created and not yet deleted (deleted at exit and on SIGINT/SIGTERM too).
LIVE_NAMESPACES = []


def unavailable_reason():
    """Why namespaces cannot be used here (not root, no `ip` or `bridge`), or None."""
    if os.geteuid() != 0:
        return "network namespaces need root (running as uid %d)" % os.geteuid()
    for tool in ("ip", "bridge"):
        if shutil.which(tool) is None:
            return "`%s` (iproute2) not found on PATH" % tool
    return None


def _ip(*arguments):
    subprocess.run(["ip"] + list(arguments), check=True, stdin=subprocess.DEVNULL,
                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def _setns(fd):
    if _libc.setns(fd, CLONE_NEWNET) != 0:
        err = ctypes.get_errno()
        raise OSError(err, "setns: %s" % os.strerror(err))


class Namespace:
    """One named network namespace (`ip netns add`), deleted by `delete`."""

    def __init__(self, name):
        self.name = name
        _ip("netns", "add", name)
        LIVE_NAMESPACES.append(self)
        _ip("-n", name, "link", "set", "lo", "up")

    def command(self, argv):
        """argv run inside this namespace: `ip netns exec` execs it, so the process started
        keeps the PID it was given (and is stopped by it)."""
        return ["ip", "netns", "exec", self.name] + list(argv)

    def socket(self):
        """A TCP socket that belongs to this namespace: created while the calling thread is in
        it, then the thread returns to its own (a socket stays in the namespace it was created
        in)."""
        own = os.open("/proc/thread-self/ns/net", os.O_RDONLY)
        try:
            target = os.open("/run/netns/%s" % self.name, os.O_RDONLY)
            try:
                _setns(target)
                try:
                    return socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                finally:
                    _setns(own)
            finally:
                os.close(target)
        finally:
            os.close(own)

    def delete(self):
        subprocess.run(["ip", "netns", "delete", self.name], stdin=subprocess.DEVNULL,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if self in LIVE_NAMESPACES:
            LIVE_NAMESPACES.remove(self)


class PartitionNetwork:
    """Hosts (name -> address) each in its own namespace, one veth each into the bridge of a
    fourth namespace; `cut(host)` disables that host's bridge port, `heal(host)` enables it."""

    PREFIX = "10.99.0."

    def __init__(self, host_names):
        run = "sentinel-bench-%d-%d" % (os.getpid(), next(_serial))
        self.hosts = {}
        self.addresses = {}
        self.bridge = Namespace(run + "-bridge")
        try:
            _ip("-n", self.bridge.name, "link", "add", "br0", "type", "bridge")
            _ip("-n", self.bridge.name, "link", "set", "br0", "up")
            for index, host in enumerate(host_names, start=1):
                ns = Namespace("%s-%s" % (run, host))
                self.hosts[host] = ns
                self.addresses[host] = self.PREFIX + str(index)
                port = self.port_name(host)
                _ip("link", "add", "veth0", "netns", ns.name, "type", "veth",
                    "peer", "name", port, "netns", self.bridge.name)
                _ip("-n", self.bridge.name, "link", "set", port, "master", "br0")
                _ip("-n", self.bridge.name, "link", "set", port, "up")
                _ip("-n", ns.name, "addr", "add", self.addresses[host] + "/24", "dev", "veth0")
                _ip("-n", ns.name, "link", "set", "veth0", "up")
        except Exception:
            self.delete()
            raise

    @staticmethod
    def port_name(host):
        return "port-%s" % host

    def _set_port_state(self, host, state):
        subprocess.run(["bridge", "-n", self.bridge.name, "link", "set", "dev",
                        self.port_name(host), "state", state], check=True,
                       stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                       stderr=subprocess.PIPE)

    def cut(self, host):
        self._set_port_state(host, PORT_DISABLED)

    def heal(self, host):
        self._set_port_state(host, PORT_FORWARDING)

    def delete(self):
        """Deletes every namespace of this network (its processes must be stopped first: a
        namespace lives on while a process is in it)."""
        for ns in list(self.hosts.values()) + [self.bridge]:
            ns.delete()
        self.hosts = {}


def delete_all_namespaces():
    """Deletes every namespace still live (at exit and on SIGINT/SIGTERM, after the processes
    were stopped)."""
    for ns in list(LIVE_NAMESPACES):
        ns.delete()

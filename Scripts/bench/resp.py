"""A minimal RESP2 client (RESP3 aggregate types parsed too), enough to drive redis-server and
the sentinels under test."""

import select
import socket

# Every process of the bench listens on the loopback interface only.
HOST = "127.0.0.1"


class Err:
    """An error reply (kept as a value, not raised, where callers want to inspect it)."""

    def __init__(self, text):
        self.text = text

    def __repr__(self):
        return "Err(%r)" % self.text


# The parser's marker for a nil reply (a null bulk string or array, RESP3 null); callers see None.
_NIL = object()


def _parse_strict(buf, pos):
    """Parses one reply from buf at pos: (value, new_pos), or None when incomplete.

    A nil reply is the marker _NIL."""
    end = buf.find(b"\r\n", pos)
    if end < 0:
        return None
    kind = buf[pos:pos + 1]
    line = bytes(buf[pos + 1:end])
    pos = end + 2
    if kind == b"+":
        return line.decode(errors="replace"), pos
    if kind == b"-":
        return Err(line.decode(errors="replace")), pos
    if kind == b":":
        return int(line), pos
    if kind == b"$":
        n = int(line)
        if n < 0:
            return _NIL, pos
        if len(buf) < pos + n + 2:
            return None
        return bytes(buf[pos:pos + n]).decode(errors="replace"), pos + n + 2
    if kind in (b"*", b">", b"~", b"%"):
        n = int(line)
        if n < 0:
            return _NIL, pos
        if kind == b"%":
            n *= 2
        items = []
        for _ in range(n):
            r = _parse_strict(buf, pos)
            if r is None:
                return None
            value, pos = r
            items.append(None if value is _NIL else value)
        return items, pos
    if kind == b"_":
        return _NIL, pos
    raise ValueError("unexpected RESP type byte %r" % kind)


class Conn:
    """One connection to a server on HOST (or on `host` inside the network namespace
    `namespace`, see bench.namespaces): commands sent as arrays of bulk strings, replies read
    whole (blocking, or polled without blocking)."""

    def __init__(self, port, timeout=2.0, host=HOST, namespace=None):
        self.port = port
        if namespace is None:
            self.sock = socket.create_connection((host, port), timeout=timeout)
        else:
            self.sock = namespace.socket()
            try:
                self.sock.settimeout(timeout)
                self.sock.connect((host, port))
            except OSError:
                self.sock.close()
                raise
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = bytearray()

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass

    def send(self, *args):
        out = [b"*%d\r\n" % len(args)]
        for a in args:
            b = a if isinstance(a, bytes) else str(a).encode()
            out.append(b"$%d\r\n%s\r\n" % (len(b), b))
        self.sock.sendall(b"".join(out))

    def _receive(self):
        """Appends what the socket has (blocking until something arrives) to the buffer."""
        chunk = self.sock.recv(65536)
        if not chunk:
            raise ConnectionError("connection closed by port %d" % self.port)
        self.buf += chunk

    def _try_parse(self):
        r = _parse_strict(self.buf, 0)
        if r is None:
            return False, None
        value, pos = r
        del self.buf[:pos]
        return True, (None if value is _NIL else value)

    def _readable_now(self):
        """Whether the socket has more to read without waiting."""
        readable, _, _ = select.select([self.sock], [], [], 0)
        return bool(readable)

    def read(self):
        """The next reply, whole. An incomplete reply is parsed again only once the buffer has
        doubled or the socket has nothing more to read now, not after every chunk, so that
        reading a reply of megabytes (SENTINEL MASTERS with thousands of masters) takes time
        linear in its size."""
        parse_at = 0
        while True:
            if len(self.buf) >= parse_at or not self._readable_now():
                ok, value = self._try_parse()
                if ok:
                    return value
                parse_at = 2 * len(self.buf)
            self._receive()

    def poll_reply(self):
        """Returns (True, reply) when a complete reply is available now, else (False, None)."""
        ok, value = self._try_parse()
        if ok:
            return ok, value
        while True:
            readable, _, _ = select.select([self.sock], [], [], 0)
            if not readable:
                return False, None
            self._receive()
            ok, value = self._try_parse()
            if ok:
                return ok, value

    def call(self, *args):
        self.send(*args)
        return self.read()


class Redialer:
    """A connection that is re-established after an error (Sentinel's promotion ends with
    CLIENT KILL TYPE normal, which closes our probes on the replicas)."""

    def __init__(self, port, timeout=1.0, host=HOST, namespace=None):
        self.port = port
        self.timeout = timeout
        self.host = host
        self.namespace = namespace
        self.conn = None

    def call(self, *args):
        """Returns the reply, or None when the connection failed."""
        try:
            if self.conn is None:
                self.conn = Conn(self.port, timeout=self.timeout, host=self.host,
                                 namespace=self.namespace)
            return self.conn.call(*args)
        except (OSError, ConnectionError, ValueError):
            self.close()
            return None

    def close(self):
        if self.conn is not None:
            self.conn.close()
            self.conn = None


def call_once(port, *args, timeout=2.0):
    """Sends one command on a fresh connection and returns its reply."""
    c = Conn(port, timeout=timeout)
    try:
        return c.call(*args)
    finally:
        c.close()


def ping_ok(port, timeout=0.5):
    """Whether the server on port answers PING with PONG now."""
    try:
        return call_once(port, "PING", timeout=timeout) == "PONG"
    except (OSError, ValueError):
        return False


def info_fields(text):
    """The `field:value` lines of an INFO reply as a dict (section headers skipped)."""
    fields = {}
    for line in (text or "").splitlines():
        if ":" in line and not line.startswith("#"):
            k, v = line.split(":", 1)
            fields[k] = v.strip()
    return fields


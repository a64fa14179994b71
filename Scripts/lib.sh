# Shared helpers for the project's scripts (sourced, not run).

# Installs Redis (server, tools and the reference sentinel) when any is missing.
ensure_redis() {
    if command -v redis-server >/dev/null && command -v redis-cli >/dev/null && command -v redis-sentinel >/dev/null; then
        return 0
    fi
    echo "Installing redis-server redis-tools redis-sentinel (apt-get)..."
    local sudo=""
    if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq redis-server redis-tools redis-sentinel >/dev/null
    # The Debian packages start system services where an init system runs; we start our own.
}

# Installs iproute2 (`ip`, `bridge`: the partition test and bench build network namespaces)
# when missing.
ensure_iproute2() {
    if command -v ip >/dev/null && command -v bridge >/dev/null; then
        return 0
    fi
    echo "Installing iproute2 (apt-get)..."
    local sudo=""
    if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq iproute2 >/dev/null
}

# Installs Debian's prometheus package (prometheus and promtool) when missing: the metrics
# endpoint's integration tests scrape the sentinels with a real Prometheus server and check
# the scrape and the example alert rules with promtool.
ensure_prometheus() {
    if command -v prometheus >/dev/null && command -v promtool >/dev/null; then
        return 0
    fi
    echo "Installing prometheus (apt-get)..."
    local sudo=""
    if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends prometheus >/dev/null
    # Where an init system runs, the package starts its own service; the tests start theirs.
}

# Prints N distinct free TCP ports on 127.0.0.1.
free_ports() {
    python3 - "$1" <<'PY'
import socket, sys
sockets = []
for _ in range(int(sys.argv[1])):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    sockets.append(s)
print(" ".join(str(s.getsockname()[1]) for s in sockets))
for s in sockets:
    s.close()
PY
}

# wait_for TIMEOUT_SECONDS DESCRIPTION COMMAND...: polls COMMAND every 0.1 s until it
# succeeds; fails with DESCRIPTION after the deadline.
wait_for() {
    local timeout=$1 description=$2
    shift 2
    local deadline=$(( $(date +%s) + timeout ))
    until "$@" >/dev/null 2>&1; do
        if [ "$(date +%s)" -ge "$deadline" ]; then
            echo "Timed out after ${timeout}s waiting for: $description" >&2
            return 1
        fi
        sleep 0.1
    done
}

# Installs what TLS needs when missing: OpenSSL's headers and libraries (the build links
# libssl and libcrypto) and the openssl command (the tests make their certificates with it).
ensure_openssl() {
    if [ -f /usr/include/openssl/ssl.h ] && command -v openssl >/dev/null; then
        return 0
    fi
    echo "Installing libssl-dev openssl (apt-get)..."
    local sudo=""
    if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq libssl-dev openssl >/dev/null
}

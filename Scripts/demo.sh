#!/usr/bin/env bash
# The "run it" command: a local master, two replicas and three swift-sentinels on loopback,
# then a failover to watch. Installs Redis if missing, builds, and stops everything it
# started (by PID) when it ends.
set -euo pipefail
cd "$(dirname "$0")/.."
source Scripts/lib.sh

ensure_redis
ensure_openssl
echo "Building swift-sentinel (release)..."
swift build -c release --product swift-sentinel >/dev/null
BINARY="$(swift build -c release --show-bin-path)/swift-sentinel"

WORK="$(mktemp -d /tmp/swift-sentinel-demo.XXXXXX)"
PIDS=()
cleanup() {
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    echo "Stopped everything; files are in $WORK"
}
trap cleanup EXIT

read -r MASTER REPLICA1 REPLICA2 S1 S2 S3 <<<"$(free_ports 6)"

start_redis() { # port [replicaof-port]
    local port=$1
    local extra=()
    if [ $# -gt 1 ]; then extra=(--replicaof 127.0.0.1 "$2"); fi
    redis-server --port "$port" --bind 127.0.0.1 --save "" --appendonly no --dir "$WORK" \
        --logfile "$WORK/redis-$port.log" "${extra[@]}" &
    PIDS+=($!)
    eval "REDIS_PID_$port=$!"
    wait_for 10 "redis on $port" redis-cli -p "$port" ping
}

start_redis "$MASTER"
start_redis "$REPLICA1" "$MASTER"
start_redis "$REPLICA2" "$MASTER"

for port in $S1 $S2 $S3; do
    mkdir -p "$WORK/sentinel-$port"
    cat >"$WORK/sentinel-$port/sentinel.conf" <<EOF
port $port
bind 127.0.0.1
dir "$WORK/sentinel-$port"
logfile "$WORK/sentinel-$port/sentinel.log"
sentinel monitor mymaster 127.0.0.1 $MASTER 2
sentinel down-after-milliseconds mymaster 1000
sentinel failover-timeout mymaster 10000
EOF
    "$BINARY" "$WORK/sentinel-$port/sentinel.conf" &
    PIDS+=($!)
done
for port in $S1 $S2 $S3; do wait_for 10 "sentinel on $port" redis-cli -p "$port" ping; done

discovered() {
    for port in $S1 $S2 $S3; do
        redis-cli -p "$port" info sentinel | grep -q "slaves=2,sentinels=3" || return 1
    done
}
echo "Waiting for the replicas to sync and the sentinels to discover them and each other..."
in_sync() {
    for port in $REPLICA1 $REPLICA2; do
        redis-cli -p "$port" info replication | grep -q '^master_link_status:up' || return 1
    done
}
wait_for 60 "the replicas' initial sync" in_sync
wait_for 30 "discovery" discovered

echo
echo "== SENTINEL MASTER mymaster (sentinel on $S1)"
redis-cli -p "$S1" sentinel master mymaster | paste -d' ' - - | head -40
echo
redis-cli -p "$S1" info sentinel | grep '^master0'

# Every event the first sentinel publishes, with the time it arrived.
mkfifo "$WORK/events"
redis-cli -p "$S1" --csv psubscribe '*' >"$WORK/events" 2>/dev/null &
PIDS+=($!)
sed -u -n 's/^"pmessage","\*","\([^"]*\)","\(.*\)"$/\1 \2/p' <"$WORK/events" \
    | while IFS= read -r line; do echo "  $(date +%T.%3N) $line"; done &
PIDS+=($!)
sleep 0.2

echo
echo "== Killing the master (127.0.0.1:$MASTER) with SIGKILL at $(date +%T.%3N)"
eval "kill -9 \$REDIS_PID_$MASTER"

switched() {
    for port in $S1 $S2 $S3; do
        local answer
        answer=$(redis-cli -p "$port" sentinel get-master-addr-by-name mymaster | tail -1)
        [ "$answer" != "$MASTER" ] || return 1
    done
}
wait_for 60 "the failover" switched
sleep 1
NEW_MASTER=$(redis-cli -p "$S1" sentinel get-master-addr-by-name mymaster | tail -1)
echo
echo "== New master: 127.0.0.1:$NEW_MASTER (all three sentinels agree) at $(date +%T.%3N)"
redis-cli -p "$NEW_MASTER" info replication | grep -E '^(role|connected_slaves)'

echo
echo "== Restarting the old master on $MASTER; the sentinels turn it into a replica"
start_redis "$MASTER"
wait_for 60 "the old master to become a replica" sh -c "redis-cli -p $MASTER info replication | grep -q '^role:slave'"
wait_for 60 "the old master to sync with the new one" sh -c "redis-cli -p $MASTER info replication | grep -q '^master_link_status:up'"
redis-cli -p "$MASTER" info replication | grep -E '^(role|master_port|master_link_status)'
sleep 1
echo
echo "Demo complete."

#!/usr/bin/env bash
# discover-master.sh NAME HOST:PORT [HOST:PORT …] [--attach PORT]
#
# Asks the sentinels, in order, for the current address of master NAME and prints
# "host port" from the first one that answers — the way init scripts find their master.
# With --attach PORT, also makes the local redis-server on PORT a replica of it (unless it
# is that master itself).
set -euo pipefail

usage() {
    echo "usage: $0 NAME HOST:PORT [HOST:PORT ...] [--attach PORT]" >&2
    exit 2
}

[ $# -ge 2 ] || usage
name=$1
shift
sentinels=()
attach=""
while [ $# -gt 0 ]; do
    case "$1" in
        --attach) [ $# -ge 2 ] || usage; attach=$2; shift 2 ;;
        *:*) sentinels+=("$1"); shift ;;
        *) usage ;;
    esac
done
[ ${#sentinels[@]} -gt 0 ] || usage

for sentinel in "${sentinels[@]}"; do
    host=${sentinel%:*}
    port=${sentinel##*:}
    host=${host#[}
    host=${host%]}
    if ! reply=$(redis-cli -h "$host" -p "$port" --raw sentinel get-master-addr-by-name "$name" 2>/dev/null); then
        continue
    fi
    master_host=$(printf '%s\n' "$reply" | sed -n 1p)
    master_port=$(printf '%s\n' "$reply" | sed -n 2p)
    case "$master_port" in
        ''|*[!0-9]*) continue ;;  # no such master here, or an error: ask the next sentinel
    esac
    echo "$master_host $master_port"
    if [ -n "$attach" ]; then
        if [ "$attach" = "$master_port" ] && { [ "$master_host" = 127.0.0.1 ] || [ "$master_host" = localhost ]; }; then
            echo "local redis-server on $attach is the master; nothing to attach" >&2
        else
            redis-cli -p "$attach" replicaof "$master_host" "$master_port" >/dev/null
            echo "local redis-server on $attach now replicates $master_host:$master_port" >&2
        fi
    fi
    exit 0
done
echo "no sentinel answered for master '$name'" >&2
exit 1

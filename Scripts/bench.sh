#!/usr/bin/env bash
# Benchmarks swift-sentinel against the reference redis-sentinel, side by side in one run:
# failover timeline, redis-benchmark throughput and latency, RSS, CPU and start-up time.
#
#   Scripts/bench.sh [--reference /usr/bin/redis-sentinel] [--runs N] [--quick] [--output FILE]
#                    [--only startup,rss,bench,failover,cpu,mass,mass-mixed] [--down-after 1000,5000]
#                    [--cpu-window SECONDS] [--events] [--keep]
#
# Installs Redis if missing, builds swift-sentinel in release as one static executable (the
# Swift runtime and the C library linked in; in .build/static, apart from other builds),
# then runs the Python package Scripts/bench/ (`python3 -m bench`), which starts every process
# itself on 127.0.0.1 (free ports), stops them by PID and removes its temporary directories.
# Prints a markdown table (medians, ratio swift / redis); --output FILE writes it to FILE too.
# About 20 minutes by default, about 4 with --quick.
set -euo pipefail
cd "$(dirname "$0")/.."
source Scripts/lib.sh

ensure_redis
echo "Building swift-sentinel (release, static executable)..." >&2
STATIC=(-c release -Xswiftc -static-executable --scratch-path .build/static)
swift build "${STATIC[@]}" --product swift-sentinel >&2
BINARY="$(swift build "${STATIC[@]}" --show-bin-path)/swift-sentinel"

export PYTHONPATH="Scripts${PYTHONPATH:+:$PYTHONPATH}"
exec python3 -B -m bench --swift "$BINARY" "$@"

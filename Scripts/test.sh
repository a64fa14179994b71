#!/usr/bin/env bash
# Runs every test: installs Redis and Prometheus if missing (integration tests start real
# redis-server, redis-sentinel and prometheus processes), builds, runs the deterministic simulation, then the unit
# and integration tests (XCTest's summary closes the run).
set -euo pipefail
cd "$(dirname "$0")/.."
source Scripts/lib.sh

ensure_redis
# The partition integration test builds network namespaces with `ip` and `bridge`.
ensure_iproute2
ensure_prometheus
ensure_openssl
# The client-library integration tests drive redis-py (redis.sentinel.Sentinel).
if ! python3 -c 'import redis' 2>/dev/null; then
    python3 -m pip install --quiet redis
fi

# Deterministic simulation: the real core under a few thousand seeded fault schedules
# (SIM_SEEDS to change how many; a failure prints the seed and the command that replays it).
swift build -c release --product sentinel-sim
"$(swift build -c release --show-bin-path)/sentinel-sim" --seeds "${SIM_SEEDS:-2000}"

swift build --build-tests
export SWIFT_SENTINEL_BINARY="$(swift build --show-bin-path)/swift-sentinel"
swift test --skip-build --disable-swift-testing

#!/usr/bin/env bash
# Runs every test: installs Redis and Prometheus if missing (integration tests start real
# redis-server, redis-sentinel and prometheus processes), builds, runs the deterministic simulation, then the unit
# and integration tests, each test case in its own process, several at once (the totals close the run).
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
# The due-time schedule against a copy of each sentinel that visits everything at every tick
# (same effects, step by step); SCHEDULE_SEEDS to change how many.
"$(swift build -c release --show-bin-path)/sentinel-sim" --seeds "${SCHEDULE_SEEDS:-300}" --check-schedule

swift build --build-tests
export SWIFT_SENTINEL_BINARY="$(swift build --show-bin-path)/swift-sentinel"
# Every test case runs in a process of its own, so no test inherits another's threads,
# descriptors or children. Integration tests spend most of their time waiting on the
# sentinels' timers (down-after, hellos, failover timeouts), so two per core run side by side;
# they take free ports and their own directories and never share a process. A failing test's
# whole output is printed; TEST_WORKERS changes how many run at once.
results="$(mktemp --suffix=.xml)"
trap 'rm -f "$results"' EXIT
status=0
swift test --skip-build --disable-swift-testing --parallel --num-workers "${TEST_WORKERS:-$(( $(nproc) * 2 ))}" \
    --xunit-output "$results" || status=$?
grep -o '<testsuite name="TestResults"[^>]*>' "$results" \
    | sed -E 's/.* errors="([0-9]+)" tests="([0-9]+)" failures="([0-9]+)" time="([0-9]+)[^"]*".*/XCTest: \2 tests, \3 failures, \1 errors, \4 s of test time/' || true
exit "$status"

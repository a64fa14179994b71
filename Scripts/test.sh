#!/usr/bin/env bash
# Runs every test: installs Redis if missing (integration tests start real redis-server
# and redis-sentinel processes), builds, then runs the unit and integration tests.
set -euo pipefail
cd "$(dirname "$0")/.."
source Scripts/lib.sh

ensure_redis
swift build --build-tests
export SWIFT_SENTINEL_BINARY="$(swift build --show-bin-path)/swift-sentinel"
swift test --skip-build --disable-swift-testing

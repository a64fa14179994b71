#!/usr/bin/env bash
# Benchmarks swift-sentinel against the reference redis-sentinel, side by side in one run:
# failover timeline, redis-benchmark throughput and latency (also over TLS), RSS, CPU and
# start-up time; opt-in: mass failures, a partition, and thousands of names per sentinel (scale).
#
#   Scripts/bench.sh [--reference /usr/bin/redis-sentinel] [--runs N] [--quick] [--output FILE]
#                    [--only startup,rss,bench,tls,failover,cpu,metrics,mass,mass-mixed,partition,scale]
#                    [--down-after 1000,5000] [--scale-names 200,2000,10000]
#                    [--cpu-window SECONDS] [--events] [--keep]
#                    [--baseline GIT-REVISION | --baseline-binary PATH] [--no-reference]
#
# Installs Redis and OpenSSL if missing, builds swift-sentinel in release as one static
# executable (the Swift runtime, the C library and OpenSSL linked in; in .build/static, apart
# from other builds),
# then runs the Python package Scripts/bench/ (`python3 -m bench`), which starts every process
# itself on 127.0.0.1 (free ports), stops them by PID and removes its temporary directories.
# Prints a markdown table (medians, ratio swift / redis); --output FILE writes it to FILE too.
# About 20 minutes by default, about 4 with --quick.
#
# --baseline GIT-REVISION also builds that revision of swift-sentinel, with the same flags, from
# a `git archive` export in ${TMPDIR:-/tmp}/swift-sentinel-bench-baseline/<commit>/ (source/ and
# its own build folder build/, kept there for the next run against the same commit; outside
# the repository, never committed) and runs it as a third daemon, alternated with the others:
# the table gains its column and a ratio swift-sentinel / baseline. --baseline-binary PATH runs
# an already built swift-sentinel instead. --no-reference leaves redis-sentinel out (faster when
# only the two swift-sentinel builds are compared).
set -euo pipefail
cd "$(dirname "$0")/.."
source Scripts/lib.sh

STATIC=(-c release -Xswiftc -static-executable)

# build_baseline REVISION: exports REVISION and builds its swift-sentinel; sets BASELINE_BINARY
# and BASELINE_LABEL.
build_baseline() {
    local revision=$1 commit scratch
    if ! commit=$(git rev-parse --verify --quiet "$revision^{commit}"); then
        echo "--baseline: not a commit of this repository: $revision" >&2
        exit 2
    fi
    scratch="${TMPDIR:-/tmp}/swift-sentinel-bench-baseline/$commit"
    if [ ! -f "$scratch/source/Package.swift" ]; then
        echo "Exporting $revision ($commit) to $scratch/source..." >&2
        rm -rf "$scratch/source" "$scratch/source.partial"
        mkdir -p "$scratch/source.partial"
        git archive "$commit" | tar -x -C "$scratch/source.partial"
        mv "$scratch/source.partial" "$scratch/source"
    fi
    echo "Building the baseline swift-sentinel of $revision (release, static executable)..." >&2
    local flags=("${STATIC[@]}" --package-path "$scratch/source" --scratch-path "$scratch/build")
    swift build "${flags[@]}" --product swift-sentinel >&2
    BASELINE_BINARY="$(swift build "${flags[@]}" --show-bin-path)/swift-sentinel"
    BASELINE_LABEL="baseline $(git rev-parse --short "$commit")"
}

# --baseline is handled here; every other argument goes to the Python package as it is.
BASELINE_REVISION=""
BASELINE_BINARY_GIVEN=""
ARGUMENTS=()
while [ $# -gt 0 ]; do
    case "$1" in
        --baseline)
            if [ $# -lt 2 ]; then
                echo "--baseline needs a git revision" >&2
                exit 2
            fi
            BASELINE_REVISION=$2
            shift 2
            ;;
        --baseline=*)
            BASELINE_REVISION=${1#--baseline=}
            shift
            ;;
        --baseline-binary | --baseline-binary=*)
            BASELINE_BINARY_GIVEN=1
            ARGUMENTS+=("$1")
            shift
            ;;
        *)
            ARGUMENTS+=("$1")
            shift
            ;;
    esac
done
if [ -n "$BASELINE_REVISION" ] && [ -n "$BASELINE_BINARY_GIVEN" ]; then
    echo "--baseline and --baseline-binary both name a baseline: give one" >&2
    exit 2
fi

ensure_redis
ensure_iproute2
ensure_openssl
echo "Building swift-sentinel (release, static executable)..." >&2
swift build "${STATIC[@]}" --scratch-path .build/static --product swift-sentinel >&2
BINARY="$(swift build "${STATIC[@]}" --scratch-path .build/static --show-bin-path)/swift-sentinel"

if [ -n "$BASELINE_REVISION" ]; then
    build_baseline "$BASELINE_REVISION"
    ARGUMENTS=(--baseline-binary "$BASELINE_BINARY" --baseline-label "$BASELINE_LABEL" "${ARGUMENTS[@]}")
fi

# Absolute: the partition scenario's writer runs `python3 -m bench.partition_writer` too.
export PYTHONPATH="$PWD/Scripts${PYTHONPATH:+:$PYTHONPATH}"
exec python3 -B -m bench --swift "$BINARY" "${ARGUMENTS[@]}"

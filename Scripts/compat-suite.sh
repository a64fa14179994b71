#!/usr/bin/env bash
# Runs Redis's own sentinel test suite (tests/sentinel, tag 7.0.15 unless --tag says otherwise)
# against swift-sentinel.
#
#   Scripts/compat-suite.sh [options] PATH_TO_REDIS_GIT [NN-name.tcl ...]
#
#   PATH_TO_REDIS_GIT   a Redis git checkout or bare repository that has the tag
#   NN-name.tcl         test files of tests/sentinel/tests to run (default: all of them)
#
# Options:
#   --tag TAG           the Redis release whose tests run (7.0.15; 7.2.4 is the other one the
#                       README reports)
#   --redis-compatibility 7.0|7.2
#                       the release swift-sentinel presents (its `redis-compatibility`
#                       directive, given on its command line); default: the tag's, 7.2 for
#                       tags 7.2 and later, else 7.0
#   --reference         run the real /usr/bin/redis-sentinel instead (checks the harness)
#   --tls               run the suite in its TLS mode (the framework's --tls: every instance
#                       listens on tls-port with tls-replication yes, clients connect with
#                       the test CA and client certificate); the certificates are made in the
#                       scratch folder by the tag's utils/gen-test-certs.sh, and the Tcl `tls`
#                       package comes from Debian's tcl-tls
#   --timeout SECONDS   a file still running after this is killed and counted failed (300)
#   --scratch DIR       where to export the tests and keep the logs (default: a new folder
#                       under ${TMPDIR:-/tmp}); must be outside the project
#
# The tests are exported with `git archive` into the scratch folder, never into the project,
# and nothing is committed. In the scratch folder src/redis-server and src/redis-cli point at
# the Debian binaries and src/redis-sentinel runs the swift-sentinel that `swift build` made
# with `--redis-compatibility` added to its command line (or is /usr/bin/redis-sentinel with
# --reference). Each file runs alone, as
# `tclsh tests/sentinel/run.tcl --single NN-name.tcl --dont-clean`, inside its own network
# namespace with only loopback (the fixture names a dummy master 10.0.0.1: nothing may leave
# the machine) and its own PID namespace (so a file killed at the timeout takes every
# instance it started with it). Needs root (for the namespaces).
#
# Prints one line per file and a summary; exits 1 if any file failed. Each file's output is
# in SCRATCH/logs/NN-name.log and its instances' folders (log.txt, sentinel.conf, err.txt)
# in SCRATCH/logs/NN-name/.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
source "$ROOT/Scripts/lib.sh"

TAG=7.0.15
compatibility=""
reference=0
tls=0
timeout_seconds=300
scratch=""

usage() {
    sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d' | sed 's/^# \{0,1\}//'
    exit "${1:-2}"
}

positional=()
while [ $# -gt 0 ]; do
    case "$1" in
        --reference) reference=1 ;;
        --tls) tls=1 ;;
        --tag) [ $# -ge 2 ] || usage; TAG=$2; shift ;;
        --tag=*) TAG=${1#*=} ;;
        --redis-compatibility) [ $# -ge 2 ] || usage; compatibility=$2; shift ;;
        --redis-compatibility=*) compatibility=${1#*=} ;;
        --timeout) [ $# -ge 2 ] || usage; timeout_seconds=$2; shift ;;
        --timeout=*) timeout_seconds=${1#*=} ;;
        --scratch) [ $# -ge 2 ] || usage; scratch=$2; shift ;;
        --scratch=*) scratch=${1#*=} ;;
        -h|--help) usage 0 ;;
        --) shift; positional+=("$@"); break ;;
        -*) echo "Unknown option: $1" >&2; usage ;;
        *) positional+=("$1") ;;
    esac
    shift
done
[ ${#positional[@]} -ge 1 ] || usage
redis_repo=${positional[0]}
requested=("${positional[@]:1}")

if [ -z "$compatibility" ]; then
    case "$TAG" in
        [0-6].*|7.[01].*) compatibility=7.0 ;;
        *) compatibility=7.2 ;;
    esac
fi
case "$compatibility" in
    7.0|7.2) ;;
    *) echo "--redis-compatibility: 7.0 or 7.2, not $compatibility" >&2; exit 2 ;;
esac

if [ "$(id -u)" -ne 0 ]; then
    echo "compat-suite.sh needs root: every file runs in its own network and PID namespace." >&2
    exit 2
fi
if ! git -C "$redis_repo" rev-parse --verify -q "refs/tags/$TAG" >/dev/null; then
    echo "$redis_repo: not a Redis git repository with the tag $TAG" >&2
    exit 2
fi

# --- Tools -----------------------------------------------------------------------------------
missing=()
command -v tclsh >/dev/null || missing+=(tcl)
command -v ip >/dev/null || missing+=(iproute2)
command -v unshare >/dev/null || missing+=(util-linux)
command -v timeout >/dev/null || missing+=(coreutils)
command -v ps >/dev/null || missing+=(procps)   # the framework's is_alive runs `ps -p`
if [ "$tls" -eq 1 ]; then
    command -v openssl >/dev/null || missing+=(openssl)
    echo 'exit [catch {package require tls}]' | tclsh >/dev/null 2>&1 || missing+=(tcl-tls)
fi
if [ ${#missing[@]} -gt 0 ]; then
    echo "Installing ${missing[*]} (apt-get)..."
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
ensure_redis
ensure_openssl
redis_server=$(command -v redis-server)
redis_cli=$(command -v redis-cli)

if [ "$reference" -eq 1 ]; then
    sentinel_bin=$(command -v redis-sentinel)
    label="redis-sentinel ($sentinel_bin)"
else
    echo "Building swift-sentinel (swift build)..."
    (cd "$ROOT" && swift build >/dev/null) || { echo "swift build failed" >&2; exit 2; }
    sentinel_bin="$(cd "$ROOT" && swift build --show-bin-path)/swift-sentinel"
    [ -x "$sentinel_bin" ] || { echo "$sentinel_bin: not built" >&2; exit 2; }
    label="swift-sentinel ($sentinel_bin, redis-compatibility $compatibility)"
fi

# --- Scratch folder with the tests at the tag ------------------------------------------------
if [ -z "$scratch" ]; then
    scratch=$(mktemp -d "${TMPDIR:-/tmp}/sentinel-compat.XXXXXX")
else
    mkdir -p "$scratch"
fi
scratch=$(cd "$scratch" && pwd -P)
case "$scratch/" in
    "$(cd "$ROOT" && pwd -P)"/*)
        echo "$scratch: the scratch folder must be outside the project" >&2
        exit 2 ;;
esac
rm -rf "$scratch/tests" "$scratch/src" "$scratch/utils"
git -C "$redis_repo" archive "$TAG" tests utils/gen-test-certs.sh | tar -x -C "$scratch"
tls_option=""
if [ "$tls" -eq 1 ]; then
    # The tag's own script makes tests/tls/{ca,server,client,redis}.{crt,key} and redis.dh,
    # where the framework's --tls looks for them.
    echo "Generating the test certificates (utils/gen-test-certs.sh)..."
    (cd "$scratch" && bash utils/gen-test-certs.sh >"$scratch/gen-test-certs.log" 2>&1) \
        || { echo "gen-test-certs.sh failed, see $scratch/gen-test-certs.log" >&2; exit 2; }
    tls_option="--tls"
fi
mkdir -p "$scratch/src" "$scratch/logs"
ln -s "$redis_server" "$scratch/src/redis-server"
ln -s "$redis_cli" "$scratch/src/redis-cli"
if [ "$reference" -eq 1 ]; then
    ln -s "$sentinel_bin" "$scratch/src/redis-sentinel"
else
    # The framework starts `src/redis-sentinel <config>`; exec keeps the pid it records.
    printf '#!/bin/sh\nexec "%s" "$@" --redis-compatibility %s\n' "$sentinel_bin" "$compatibility" \
        >"$scratch/src/redis-sentinel"
    chmod +x "$scratch/src/redis-sentinel"
fi

tests_dir="$scratch/tests/sentinel/tests"
files=()
if [ ${#requested[@]} -eq 0 ]; then
    for f in "$tests_dir"/*.tcl; do files+=("$(basename "$f")"); done
else
    for f in "${requested[@]}"; do
        f=$(basename "$f")
        [ -f "$tests_dir/$f" ] || { echo "$f: no such file in tests/sentinel/tests at $TAG" >&2; exit 2; }
        files+=("$f")
    done
fi

echo "Sentinel under test: $label"
echo "Redis $TAG tests in $scratch${tls_option:+ (TLS mode)}"

# --- Run the files one at a time -------------------------------------------------------------
passed=0
failed=0
for f in "${files[@]}"; do
    name=${f%.tcl}
    log="$scratch/logs/$name.log"
    keep="$scratch/logs/$name"
    rm -rf "$keep" "$scratch/tests/sentinel/tmp"/{sentinel,redis}_* "$scratch/tests/sentinel/tmp/leaked_fds.txt"
    start=$(date +%s)
    set +e
    # A fresh network namespace (loopback only) and PID namespace for each file; when the
    # timeout kills unshare, --kill-child kills the namespace's first process and with it
    # every sentinel and server the file started.
    (cd "$scratch" && timeout -k 10 "$timeout_seconds" \
        unshare --net --pid --fork --mount-proc --kill-child \
        sh -c 'ip link set lo up && tclsh tests/sentinel/run.tcl --single "$1" --dont-clean $2' sh "$f" "$tls_option" \
        </dev/null >"$log" 2>&1)
    rc=$?
    set -e
    elapsed=$(( $(date +%s) - start ))
    mkdir -p "$keep"
    for d in "$scratch/tests/sentinel/tmp"/sentinel_* "$scratch/tests/sentinel/tmp"/redis_*; do
        [ -d "$d" ] && mv "$d" "$keep/"
    done
    if [ $rc -eq 0 ]; then
        passed=$((passed + 1))
        echo "$f: passed ($elapsed s)"
    else
        failed=$((failed + 1))
        if [ $rc -eq 124 ] || [ $rc -eq 137 ]; then
            echo "$f: failed (killed after the ${timeout_seconds} s timeout, $elapsed s)"
        else
            echo "$f: failed ($elapsed s)"
        fi
        echo "    log: $log"
    fi
done

echo "suite: $passed files passed, $failed failed"
echo "logs: $scratch/logs"
[ "$failed" -eq 0 ]

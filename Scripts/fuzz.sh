#!/usr/bin/env bash
# Coverage-guided fuzzing with the toolchain's libFuzzer (swiftc -sanitize=fuzzer,address).
#
#   Scripts/fuzz.sh <target|all> [libFuzzer flags…]     fuzz (default -max_total_time=60 each)
#   Scripts/fuzz.sh <target> <input file>… [--trace]     run these inputs once (reproduce a crash;
#                                                        --trace prints every input fed to the sentinel;
#                                                        -minimize_crash=1 -runs=N minimizes it)
#   Scripts/fuzz.sh <target> --merge                     add the work corpus's new coverage to
#                                                        Tests/FuzzCorpus/<target> (minimized)
#   Scripts/fuzz.sh --list                               the targets
#
# Targets (Sources/SentinelFuzzing): resp-request, resp-reply, http-request, config, info, hello,
# sentinel. Each target is compiled from the module sources with swiftc (RESP, HTTP, SentinelCore
# and SentinelFuzzing instrumented for coverage and AddressSanitizer, which also detects leaks)
# into .build-fuzz/build-fuzzer-address/, and fuzzes with the in-repo corpus
# Tests/FuzzCorpus/<target> (read only) plus a work corpus .build-fuzz/corpus/<target> (where
# new inputs go). Crashes, leaks and timeouts are saved in .build-fuzz/findings/<target>/, the
# full log in .build-fuzz/logs/<target>.log. The last lines are one summary line per target:
# executions, wall time, executions per second, and the result (ok, or what was found and
# where).
#
# FUZZ_NICE (default 10) is the niceness of the fuzzing processes; targets run one after the
# other, one process each (add -fork=N to use N cores, -ignore_crashes=1 to keep going past
# findings). FUZZ_SANITIZERS=fuzzer builds without AddressSanitizer (about twice as fast, but
# no leak or memory-error reports).
set -euo pipefail
cd "$(dirname "$0")/.."

targets=(resp-request resp-reply http-request config info hello sentinel)
scratch=.build-fuzz
# Each set of sanitizers has its own build folder; corpora and findings are shared.
sanitizers=${FUZZ_SANITIZERS:-fuzzer,address}
build="$scratch/build-${sanitizers//,/-}"
modules=(RESP HTTP SentinelCore SentinelFuzzing)

usage() {
    sed -n '2,25p' "$0" | sed 's/^# \{0,1\}//'
    exit "${1:-0}"
}

[ $# -ge 1 ] || usage 1
case "$1" in
    --list) printf '%s\n' "${targets[@]}"; exit 0 ;;
    -h|--help) usage 0 ;;
    all) selected=("${targets[@]}") ;;
    *)
        if [[ " ${targets[*]} " != *" $1 "* ]]; then
            echo "unknown target '$1' (targets: ${targets[*]} all)" >&2
            exit 1
        fi
        selected=("$1")
        ;;
esac
shift

merge=false
inputs=()
flags=()
for argument in "$@"; do
    if [ "$argument" = "--merge" ]; then
        merge=true
    elif [ "$argument" = "--trace" ]; then
        export SENTINEL_FUZZ_TRACE=1
    elif [ -f "$argument" ]; then
        inputs+=("$argument")
    else
        flags+=("$argument")
    fi
done
given_flags=("${flags[@]}")
if [[ " ${flags[*]-} " != *" -runs="* && " ${flags[*]-} " != *" -max_total_time="* ]]; then
    flags+=("-max_total_time=60")
fi
# Inputs up to 4 KiB (libFuzzer would otherwise take the largest corpus file's size, and a
# sentinel-driving input costs about what the state it builds costs).
if [[ " ${flags[*]-} " != *" -max_len="* ]]; then
    flags+=("-max_len=4096")
fi

# MARK: Build

# Each module is one whole-module compilation, optimized (Swift's overflow and bounds checks
# stay on), instrumented for libFuzzer's coverage and for AddressSanitizer. A module is rebuilt
# when a source file of it, or of a module it imports, is newer than its object.
build_modules() {
    mkdir -p "$build/modules"
    local stale=false
    for module in "${modules[@]}"; do
        local object="$build/modules/$module.o"
        if ! $stale && [ -f "$object" ] && [ -z "$(find "Sources/$module" -name '*.swift' -newer "$object" -print -quit)" ]; then
            continue
        fi
        stale=true
        echo "fuzz.sh: compiling $module (instrumented)..."
        local sources=()
        mapfile -t sources < <(find "Sources/$module" -name '*.swift' | sort)
        rm -f "$object"
        swiftc -module-name "$module" -parse-as-library -wmo -O -g \
            -sanitize="$sanitizers" -swift-version 6 \
            -I "$build/modules" -emit-module -emit-module-path "$build/modules/$module.swiftmodule" \
            -c "${sources[@]}" -o "$object"
    done
}

# The libFuzzer glue: LLVMFuzzerTestOneInput calls the target's entry point.
build_target() {
    local target=$1
    local binary="$build/bin/fuzz-$target"
    mkdir -p "$build/bin" "$build/glue"
    if [ -f "$binary" ] && [ -z "$(find "$build/modules" -name '*.o' -newer "$binary" -print -quit)" ]; then
        return
    fi
    local glue="$build/glue/$target.swift"
    cat > "$glue" <<EOF
import SentinelFuzzing

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    FuzzTarget(rawValue: "$target")!.runFromLibFuzzer(data, size)
    return 0
}
EOF
    swiftc -parse-as-library -O -g -sanitize="$sanitizers" -I "$build/modules" \
        "$glue" "$build/modules"/*.o -o "$binary" 2>&1 | grep -v -e 'ld.gold: warning: Cannot export local symbol' -e '^$' || true
    [ -x "$binary" ] || { echo "fuzz.sh: linking $binary failed" >&2; exit 1; }
}

# MARK: Run

# Swift's hashing is seeded per process unless this is set: an input must replay the same way.
export SWIFT_DETERMINISTIC_HASHING=1
# The Swift runtime's crash handler would wait for a debugger-style backtrace; libFuzzer
# reports crashes itself.
export SWIFT_BACKTRACE=enable=no
# While fuzzing, allocations are not traced (a third of the time otherwise); a leak found is
# reported with its stack when its input is run again (Scripts/fuzz.sh <target> <file>).
asan_defaults="detect_leaks=1:handle_sigill=1:handle_abort=1"
if [ ${#inputs[@]} -eq 0 ]; then asan_defaults="$asan_defaults:malloc_context_size=0"; fi
export ASAN_OPTIONS="${ASAN_OPTIONS:-$asan_defaults}"

summaries=()

run_target() {
    local target=$1
    local binary="$build/bin/fuzz-$target"
    local corpus="Tests/FuzzCorpus/$target"
    local work="$scratch/corpus/$target"
    local findings="$scratch/findings/$target"
    local log="$scratch/logs/$target.log"
    mkdir -p "$work" "$findings" "$scratch/logs" "$corpus"
    local dictionary=()
    [ -f "Tests/FuzzCorpus/$target.dict" ] && dictionary=("-dict=Tests/FuzzCorpus/$target.dict")

    if [ ${#inputs[@]} -gt 0 ]; then
        # Flags given apply (e.g. -minimize_crash=1 -runs=10000 -exact_artifact_path=FILE).
        "$binary" "${dictionary[@]}" "${given_flags[@]}" "${inputs[@]}"
        return
    fi
    if $merge; then
        # Edges only (no hit counts): the fewest inputs that keep the coverage.
        "$binary" -merge=1 -use_counters=0 -artifact_prefix="$findings/" "$corpus" "$work"
        return
    fi

    echo "fuzz.sh: fuzzing $target (${flags[*]}); log: $log"
    local start end status=0
    start=$(date +%s.%N)
    nice -n "${FUZZ_NICE:-10}" "$binary" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
        -artifact_prefix="$findings/" "${dictionary[@]}" "${flags[@]}" "$work" "$corpus" >"$log" 2>&1 || status=$?
    end=$(date +%s.%N)

    local executions seconds rate result
    executions=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1 || true)
    if [ -z "$executions" ]; then
        # Fork mode prints no final stats; its progress lines count the executions.
        executions=$(grep -o '^#[0-9]*' "$log" | tail -1 | tr -d '#' || true)
    fi
    executions=${executions:-0}
    seconds=$(awk -v s="$start" -v e="$end" 'BEGIN { printf "%.0f", e - s }')
    rate=$(awk -v n="$executions" -v s="$seconds" 'BEGIN { printf "%.0f", (s > 0 ? n / s : n) }')
    if [ "$status" -eq 0 ]; then
        result="ok: no crash, no leak, no timeout"
    elif grep -q "libFuzzer: run interrupted" "$log"; then
        # Stopped by a signal (SIGINT/SIGTERM): libFuzzer exits 72 after its final statistics.
        result="interrupted: no crash, no leak, no timeout up to then"
    else
        local artifact kind
        artifact=$(grep -o "Test unit written to [^ ]*" "$log" | tail -1 | sed 's/Test unit written to //' || true)
        if grep -q "ERROR: libFuzzer: timeout" "$log"; then kind="TIMEOUT"
        elif grep -q "ERROR: LeakSanitizer" "$log"; then kind="LEAK"
        elif grep -q "ERROR: libFuzzer: out-of-memory" "$log"; then kind="OUT OF MEMORY"
        elif grep -q -e "Fatal error:" -e "ERROR: AddressSanitizer: \(ILL\|TRAP\)" "$log"; then kind="CRASH (Swift trap)"
        elif grep -q "ERROR: AddressSanitizer" "$log"; then kind="ADDRESS ERROR"
        else kind="CRASH"
        fi
        local message
        message=$(grep -m1 -o -e 'Fatal error: .*' -e 'fuzz target [a-z-]*: .*' "$log" | head -c 300 || true)
        result="$kind (exit $status) ${artifact:-see $log}${message:+ — $message}"
    fi
    summaries+=("$(printf '%-13s %12s executions %7s s %8s exec/s  %s' "$target" "$executions" "$seconds" "$rate" "$result")")
}

build_modules
for target in "${selected[@]}"; do build_target "$target"; done
for target in "${selected[@]}"; do run_target "$target"; done

if [ ${#summaries[@]} -gt 0 ]; then
    echo
    echo "fuzz.sh summary ($(git rev-parse --short HEAD 2>/dev/null || echo '?'), swiftc -sanitize=$sanitizers, flags: ${flags[*]}):"
    printf '%s\n' "${summaries[@]}"
    if printf '%s\n' "${summaries[@]}" | grep -qv ' ok: '; then exit 1; fi
fi

#!/usr/bin/env bash
# Runs every cargo-fuzz target of fuzz/ for a bounded time and fails if any of them crashes.
#
#   ci/fuzz.sh [SECONDS_PER_TARGET]      (default 20; from anywhere in the repository)
#
# Installs cargo-fuzz if it is missing, builds all targets (sanitizer build through
# RUSTC_BOOTSTRAP=1 on the stable toolchain), then runs each one on fuzz/corpus/<target> (written,
# git-ignored) and fuzz/seeds/<target> (committed) with libFuzzer's -max_total_time. Prints a
# table of executions per target. A crash leaves its input in fuzz/artifacts/<target>/.
#
# Environment:
#   FUZZ_TARGET_DIR      cargo target dir for the sanitizer build (default fuzz/target; kept apart
#                        from the workspace's target dir because the flags differ)
#   FUZZ_BUILD_TIMEOUT   seconds allowed for the build (default 3600)
#   FUZZ_TARGETS         space-separated subset of targets (default: all of `cargo fuzz list`)
#   FUZZ_RSS_LIMIT_MB    libFuzzer's memory limit per process (default 2048)
#   FUZZ_OPT_LEVEL       optimisation level of the build (default: cargo-fuzz's release, 3).
#                        .ci/run's short smoke runs use 1: the build took 351 s instead of 425 s
#                        (measured 2026-11-27 on the 2-core CI machine), fewer executions per second.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$here")
cd "$root"

seconds=${1:-20}
if ! [[ "$seconds" =~ ^[0-9]+$ ]] || [ "$seconds" -lt 1 ]; then
    echo "usage: ci/fuzz.sh [SECONDS_PER_TARGET]" >&2
    exit 2
fi
export RUSTC_BOOTSTRAP=1
export CARGO_TARGET_DIR=${FUZZ_TARGET_DIR:-$root/fuzz/target}
build_timeout=${FUZZ_BUILD_TIMEOUT:-3600}
if [ -n "${FUZZ_OPT_LEVEL:-}" ]; then
    [[ "$FUZZ_OPT_LEVEL" =~ ^[0-3]$ ]] || { echo "FUZZ_OPT_LEVEL must be 0-3" >&2; exit 2; }
    export CARGO_PROFILE_RELEASE_OPT_LEVEL=$FUZZ_OPT_LEVEL
fi
rss_limit=${FUZZ_RSS_LIMIT_MB:-2048}

step() { printf '\n=== %s\n' "$*"; }
started=$(date +%s)

if ! cargo fuzz --version >/dev/null 2>&1; then
    step "install cargo-fuzz"
    timeout 1800 cargo install cargo-fuzz --locked
fi

if [ -n "${FUZZ_TARGETS:-}" ]; then
    read -r -a targets <<<"$FUZZ_TARGETS"
else
    mapfile -t targets < <(cargo fuzz list --fuzz-dir fuzz)
fi
[ "${#targets[@]}" -gt 0 ] || { echo "no fuzz targets found" >&2; exit 1; }

step "build ${targets[*]}"
build_started=$(date +%s)
timeout --kill-after=30 "$build_timeout" cargo fuzz build --fuzz-dir fuzz
build_seconds=$(( $(date +%s) - build_started ))
echo "build took ${build_seconds} s"

logs=$(mktemp -d /tmp/ci-fuzz.XXXXXX)
failed=()
rows=()
for target in "${targets[@]}"; do
    step "fuzz $target for ${seconds} s"
    mkdir -p "fuzz/corpus/$target" "fuzz/seeds/$target" "fuzz/artifacts/$target"
    log="$logs/$target.log"
    # -timeout: an input running over 25 s counts as a hang (a crash); the outer timeout stops a
    # run that libFuzzer itself cannot end (the build is done, so the margin is for loading seeds).
    set +e
    timeout --kill-after=10 $(( seconds + 120 )) \
        cargo fuzz run --fuzz-dir fuzz "$target" "fuzz/corpus/$target" "fuzz/seeds/$target" -- \
        -max_total_time="$seconds" -timeout=25 -rss_limit_mb="$rss_limit" -print_final_stats=1 \
        >"$log" 2>&1
    status=$?
    set -e
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
    corpus=$(find "fuzz/corpus/$target" -type f | wc -l)
    if [ "$status" -eq 0 ]; then
        verdict=ok
        tail -n 4 "$log"
    else
        if [ "$status" -eq 124 ] || [ "$status" -eq 137 ]; then verdict="HUNG"; else verdict="CRASH"; fi
        failed+=("$target")
        # The crash report: libFuzzer's summary, the panic message, the artifact path.
        grep -E "panicked at|SUMMARY|Test unit written|artifact_prefix|ERROR" "$log" | head -n 20 || true
        tail -n 40 "$log"
    fi
    rows+=("$(printf '%-22s %-6s %12s %10s %8s' "$target" "$verdict" "${execs:-?}" "${rate:-?}" "$corpus")")
done

step "summary (${seconds} s per target; logs in $logs)"
printf '%-22s %-6s %12s %10s %8s\n' target result executions 'execs/s' corpus
printf '%s\n' "${rows[@]}"
echo "build ${build_seconds} s, whole run $(( $(date +%s) - started )) s"
if [ "${#failed[@]}" -gt 0 ]; then
    echo "FAILED: ${failed[*]} (inputs in fuzz/artifacts/<target>/)" >&2
    exit 1
fi

#!/usr/bin/env bash
# Bench mode without hardware: pcscd with two empty vpcd readers, the simulated fixture
# (fixture-sim) on a pseudo-terminal putting virtual cards on them, and the features through
# `harness run --bench` — the path a physical bench takes, with only the serial port and the
# reader names (fixtures/bench/sim.toml) differing. Stops everything it started, whatever happens.
#
#   ci/bench-sim.sh [FEATURE ...]
#
# Steps: build; start pcscd (ci/pcscd-start.sh --empty 2, private network namespace); the
# harness-bench test through pcscd (its own fixture-sim: PLACE/REMOVE seen through PC/SC, PIN
# guard restore); fixture-sim for the run, with its serial log; `harness run --bench` with
# --repeat BENCH_REPEAT (default 3), which prints the timing report.
#
# Environment: CARGO_TARGET_DIR (default target/), BENCH_REPEAT, KEEP_RUN_DIR=1,
# PCSCD_BUSY_WAIT_SECS (default 600: wait while another pcscd runs; only one per machine).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$here")
cd "$root"

step() { printf '\n=== bench-sim: %s\n' "$*"; }

"$here/install-deps.sh"
target_dir=${CARGO_TARGET_DIR:-$root/target}
repeat=${BENCH_REPEAT:-3}
[[ "$repeat" =~ ^[0-9]+$ ]] && ((repeat > 0)) || { echo "bench-sim: BENCH_REPEAT must be a positive number" >&2; exit 2; }

step "build (before pcscd starts, so it is not held while compiling)"
# The same selection as ci/test.sh (--workspace --all-features), so after it nothing is rebuilt;
# this builds the binaries (virtual-card, fixture-sim, harness with PC/SC) and the test.
timeout 3000 cargo test --workspace --all-features --no-run
export VIRTUAL_CARD_BIN="$target_dir/debug/virtual-card"
fixture_sim="$target_dir/debug/fixture-sim"
harness="$target_dir/debug/harness"

busy_wait=${PCSCD_BUSY_WAIT_SECS:-600}
waited=0
while busy=$(pgrep -x pcscd | tr '\n' ' '); [[ -n "$busy" ]]; do
    if ((waited >= busy_wait)); then
        echo "bench-sim: another pcscd (pid $busy) still runs after ${waited}s; giving up" >&2
        exit 1
    fi
    echo "bench-sim: another pcscd (pid $busy) runs; waiting 30 s (${waited}s so far)"
    sleep 30
    waited=$((waited + 30))
done

run_dir=$(mktemp -d /tmp/harness-bench-sim.XXXXXX)
sim_pid=
stop_sim() {
    [[ -n "$sim_pid" ]] || return 0
    if [[ -r /proc/$sim_pid/cmdline ]] && tr '\0' ' ' < "/proc/$sim_pid/cmdline" | grep -q fixture-sim; then
        kill -TERM "$sim_pid" 2>/dev/null || true
        for _ in $(seq 50); do kill -0 "$sim_pid" 2>/dev/null || break; sleep 0.1; done
        kill -0 "$sim_pid" 2>/dev/null && { echo "bench-sim: fixture-sim $sim_pid did not stop; KILL"; kill -KILL "$sim_pid"; }
    fi
    sim_pid=
}
cleanup() {
    local status=$?
    stop_sim # stops its card processes first, so pcscd sees them go
    "$here/pcscd-stop.sh" "$run_dir" > /dev/null || status=1
    if ((status != 0)); then
        echo "bench-sim: FAILED (exit $status); logs kept in $run_dir/logs" >&2
        tail -n 30 "$run_dir/logs/fixture-sim.serial.log" >&2 2>/dev/null || true
    elif [[ -z "${KEEP_RUN_DIR:-}" ]]; then
        rm -rf "$run_dir"
    fi
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

step "start pcscd with two empty vpcd readers"
timeout 120 "$here/pcscd-start.sh" "$run_dir" --empty 2
# shellcheck source=/dev/null
source "$run_dir/env"
IFS=';' read -r -a slots <<< "$HARNESS_PCSC_SLOTS"
((${#slots[@]} == 2)) || { echo "bench-sim: expected 2 empty readers, got: $HARNESS_PCSC_SLOTS" >&2; exit 1; }

step "bench path through pcscd (harness-bench test: fixture-sim, PC/SC presence, PIN guard)"
timeout 600 cargo test --workspace --all-features --test pcscd_bench -- --nocapture

step "fixture-sim on a pseudo-terminal"
"$fixture_sim" --bench "$root/fixtures/bench/sim.toml" \
    --station "1=${slots[0]#*=}" --station "2=${slots[1]#*=}" \
    --state-dir "$run_dir/fixture-cards" --virtual-card-bin "$VIRTUAL_CARD_BIN" \
    --exec-prefix="$HARNESS_PCSC_NETNS_EXEC" \
    --path-file "$run_dir/fixture.pty" --log "$run_dir/logs/fixture-sim.serial.log" \
    < /dev/null > "$run_dir/logs/fixture-sim.out" 2>&1 &
sim_pid=$!
for _ in $(seq 100); do
    [[ -s "$run_dir/fixture.pty" ]] && break
    kill -0 "$sim_pid" 2>/dev/null || { echo "bench-sim: fixture-sim exited:" >&2; cat "$run_dir/logs/fixture-sim.out" >&2; exit 1; }
    sleep 0.1
done
pty=$(cat "$run_dir/fixture.pty")
[[ -n "$pty" ]] || { echo "bench-sim: fixture-sim printed no pseudo-terminal" >&2; exit 1; }
echo "bench-sim: fixture-sim $sim_pid on $pty"

# The run's bench file: sim.toml with the pseudo-terminal and absolute profile paths.
bench_file="$run_dir/bench.toml"
sed -e "s|^port = .*|port = \"$pty\"|" -e "s|\"\\.\\./cards/|\"$root/fixtures/cards/|" \
    "$root/fixtures/bench/sim.toml" > "$bench_file"
# PINs of the synthetic cards (test data in fixtures/cards), in the variables sim.toml names.
for profile in "$root"/fixtures/cards/*.toml; do
    person=$(basename "$profile" .toml)
    var="BENCH_SIM_$(tr 'a-z-' 'A-Z_' <<< "$person")"
    auth=$(sed -n 's/^auth = "\([0-9]*\)".*/\1/p' "$profile")
    text=$(sed -n 's/^text = "\([0-9]*\)".*/\1/p' "$profile")
    [[ -n "$auth" ]] && export "${var}_AUTH_PIN=$auth"
    [[ -n "$text" ]] && export "${var}_TEXT_PIN=$text"
done

step "features through the bench: harness run --bench (repeat $repeat)"
if ! "$harness" run --help 2>/dev/null | grep -q -- '--bench'; then
    echo "bench-sim: this harness has no 'run --bench' (the facility engine's bench driver is not built in)" >&2
    exit 1
fi
# Every feature (or those given): scenarios the bench cannot perform are listed as not run,
# with the reason, by their tags (@simulated-only, @needs-face-camera, @locks-pin, …).
timeout 3000 "$harness" run --bench "$bench_file" --repeat "$repeat" \
    --report "$run_dir/report.html" --junit "$run_dir/junit.xml" \
    --results "$run_dir/results" "$@"

step "serial log, harness side ($run_dir/fixture-serial.log: > sent, < received)"
head -n 16 "$run_dir/fixture-serial.log"
echo "…"
tail -n 6 "$run_dir/fixture-serial.log"
step "serial log, fixture-sim side"
head -n 8 "$run_dir/logs/fixture-sim.serial.log"
echo "…"
tail -n 4 "$run_dir/logs/fixture-sim.serial.log"
grep -q ' PLACE ' "$run_dir/fixture-serial.log" && grep -q ' REMOVE ' "$run_dir/fixture-serial.log" \
    || { echo "bench-sim: the serial log shows no PLACE/REMOVE" >&2; exit 1; }
step "bench-sim passed (timing report: $run_dir/timing.json, $run_dir/timing.html; kept with KEEP_RUN_DIR=1)"

#!/usr/bin/env bash
# Faults through a real pcscd, with whole reader visits (harness-reader test `pcscd_faults`):
#  1. pcscd gets SIGTERM in the middle of a visit and is started again with the same reader configs
#     in the same network namespace: the visit in flight fails with a transport error, the card
#     process reconnects by itself (virtual-card serve's backoff), visits complete again.
#  2. the card process gets SIGTERM in the middle of a visit: the visit fails (card removed /
#     transport error), a new card process in the same reader works, the PIN counter is kept.
# Prints the timeline of each (time to reconnect). Every wait is bounded: a hang fails the run.
# Starts pcscd with yamada-taro and watanabe-sora, stops everything it started (also the restarted
# pcscd and card, recorded in RUN_DIR/pids and the pid files).
#
#   ci/fault-pcscd-restart.sh
#
# Only one pcscd can run on the machine (its socket /run/pcscd/pcscd.comm is fixed): if another one
# runs, this waits for it (every 30 s, up to PCSCD_BUSY_WAIT_SECS, default 600) before starting.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$here")
cd "$root"

"$here/install-deps.sh"
target_dir=${CARGO_TARGET_DIR:-$root/target}
# Release: the same build as ci/soak.sh's bench (no second full build of the dependencies).
timeout 3000 cargo build --release -p virtual-card --bin virtual-card
timeout 3000 cargo test --release -p harness-reader --features pcsc --test pcscd_faults --no-run
export VIRTUAL_CARD_BIN="$target_dir/release/virtual-card"

busy_wait=${PCSCD_BUSY_WAIT_SECS:-600}
waited=0
while busy=$(pgrep -x pcscd | tr '\n' ' '); [[ -n "$busy" ]]; do
    if ((waited >= busy_wait)); then
        echo "fault: another pcscd (pid $busy) still runs after ${waited}s; giving up" >&2
        exit 1
    fi
    echo "fault: another pcscd (pid $busy) runs; waiting 30 s (${waited}s so far)"
    sleep 30
    waited=$((waited + 30))
done

run_dir=$(mktemp -d /tmp/harness-fault.XXXXXX)
cleanup() {
    local status=$?
    local recorded
    recorded=$(awk '$1 == "pcscd" { print $2 }' "$run_dir/pids" 2>/dev/null || true)
    "$here/pcscd-stop.sh" "$run_dir" > /dev/null || status=1
    for pid in $recorded; do
        if { tr '\0' ' ' < "/proc/$pid/cmdline"; } 2>/dev/null | grep -q pcscd; then
            echo "fault: pcscd $pid (started by this run) still runs" >&2
            status=1
        fi
    done
    if ((status != 0)); then
        echo "fault: FAILED (exit $status); logs kept in $run_dir/logs" >&2
    else
        rm -rf "$run_dir"
    fi
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

timeout 120 "$here/pcscd-start.sh" "$run_dir" \
    "$root/fixtures/cards/yamada-taro.toml" "$root/fixtures/cards/watanabe-sora.toml" \
    > "$run_dir/start.log" || { cat "$run_dir/start.log" >&2; exit 1; }
# shellcheck source=/dev/null
source "$run_dir/env"

log="$run_dir/logs/test.log"
# One test at a time (both stop shared processes); the whole run is bounded too.
HARNESS_FAULTS=1 timeout 300 cargo test --release -p harness-reader --features pcsc \
    --test pcscd_faults -- --test-threads=1 --nocapture 2>&1 | tee "$log"
if grep -q SKIPPED "$log"; then
    echo "fault: a test skipped although pcscd was up" >&2
    exit 1
fi

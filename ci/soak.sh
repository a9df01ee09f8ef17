#!/usr/bin/env bash
# Soak: pcscd with 16 virtual readers (pcscd's maximum: 8 vpcd entries x 2), a `virtual-card serve`
# with its own state file in each, and the harness-reader bench `soak` running whole reader visits
# in all 16 at once for SECONDS (default 30). Prints visits/s (total, per reader), APDUs/s, errors
# by kind, p50/p99 visit time; exits non-zero on any error, lost result, PIN counter not back at 3,
# or a hang. Stops everything it started, whatever happens.
#
#   ci/soak.sh [SECONDS]               PIN route (cards: yamada-taro, watanabe-sora, nakamura-aoi,
#                                      suzuki-haruto, 4 of each)
#   SOAK_ROUTE=face ci/soak.sh [SECONDS]  face route with harness-face's camera emulator and matcher
#                                      (yamada-taro and nakamura-aoi, 8 of each); SOAK_CAMERA_SECS=N
#                                      adds N s of the patient's time at the camera to the reader's
#                                      clock (default 0: real time)
#
# Only one pcscd can run on the machine (its socket /run/pcscd/pcscd.comm is fixed): if another one
# runs, this waits for it (every 30 s, up to PCSCD_BUSY_WAIT_SECS, default 600) before starting.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$here")
cd "$root"

seconds=${1:-30}
[[ "$seconds" =~ ^[0-9]+$ ]] && ((seconds > 0)) || { echo "soak: SECONDS must be a positive whole number" >&2; exit 2; }
route=${SOAK_ROUTE:-pin}
case "$route" in
    pin) people=(yamada-taro watanabe-sora nakamura-aoi suzuki-haruto) ;;
    # Not watanabe-sora: her card photo shows her at 1, she is 7 now (no match, by design).
    face) people=(yamada-taro nakamura-aoi) ;;
    *) echo "soak: SOAK_ROUTE=$route: pin or face" >&2; exit 2 ;;
esac
readers=${SOAK_READERS:-16}
((readers >= 1 && readers <= 16)) || { echo "soak: SOAK_READERS must be 1..16" >&2; exit 2; }

"$here/install-deps.sh"
target_dir=${CARGO_TARGET_DIR:-$root/target}
# Built before pcscd starts, so pcscd is not held while compiling.
timeout 3000 cargo build --release -p virtual-card --bin virtual-card
timeout 3000 cargo bench -p harness-reader --features pcsc --bench soak --no-run
export VIRTUAL_CARD_BIN="$target_dir/release/virtual-card"

busy_wait=${PCSCD_BUSY_WAIT_SECS:-600}
waited=0
while busy=$(pgrep -x pcscd | tr '\n' ' '); [[ -n "$busy" ]]; do
    if ((waited >= busy_wait)); then
        echo "soak: another pcscd (pid $busy) still runs after ${waited}s; giving up" >&2
        exit 1
    fi
    echo "soak: another pcscd (pid $busy) runs; waiting 30 s (${waited}s so far)"
    sleep 30
    waited=$((waited + 30))
done

run_dir=$(mktemp -d /tmp/harness-soak.XXXXXX)
cleanup() {
    local status=$?
    "$here/pcscd-stop.sh" "$run_dir" > /dev/null || status=1
    if ((status != 0)); then
        echo "soak: FAILED (exit $status); logs kept in $run_dir/logs" >&2
    else
        rm -rf "$run_dir"
    fi
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

profiles=()
for ((i = 0; i < readers; i++)); do
    profiles+=("$root/fixtures/cards/${people[i % ${#people[@]}]}.toml")
done
timeout 120 "$here/pcscd-start.sh" "$run_dir" "${profiles[@]}" > "$run_dir/start.log" || { cat "$run_dir/start.log" >&2; exit 1; }
# shellcheck source=/dev/null
source "$run_dir/env"

echo "soak: pcscd $(pgrep -x pcscd | tr '\n' ' ')with ${#profiles[@]} cards; $route route for ${seconds}s"
SOAK_SECONDS=$seconds SOAK_ROUTE=$route timeout $((seconds + 300)) \
    cargo bench -p harness-reader --features pcsc --bench soak

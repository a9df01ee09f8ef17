#!/usr/bin/env bash
# The test command: installs what is missing, builds, starts virtual cards behind a real pcscd,
# runs every test of the workspace (PC/SC ones included), the OpenSC checks and bench mode without
# hardware (ci/bench-sim.sh), stops everything.
# Exits non-zero on any failure. Works as root on a fresh Debian 12 with only the Rust toolchain.
#
#   ci/test.sh            (from anywhere in the repository)
#
# Environment: CARGO_TARGET_DIR (default target/), HARNESS_PCSC_RUN_DIR (default: a temp dir),
# PCSCD_DEBUG=1 (pcscd logs APDUs to RUN_DIR/logs/pcscd.log), KEEP_RUN_DIR=1.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$here")
cd "$root"

started=$SECONDS
step() { printf '\n=== [%4ds] %s\n' "$((SECONDS - started))" "$*"; }

step "install dependencies"
"$here/install-deps.sh"

target_dir=${CARGO_TARGET_DIR:-$root/target}
export VIRTUAL_CARD_BIN="$target_dir/debug/virtual-card"
# Line tables only for the workspace's own crates in this run (backtraces keep file:line): full
# debug information in every test binary roughly doubles the link time on a 2-core machine.
export CARGO_PROFILE_DEV_DEBUG=${CARGO_PROFILE_DEV_DEBUG:-line-tables-only}

# Every cargo command below selects the same packages and features (--workspace --all-features),
# so Cargo resolves features once and builds each crate once: a `-p` or a different feature set
# would rebuild the crates whose features differ.
step "build every test, binary and the virtual card (before pcscd starts)"
timeout 3000 cargo test --workspace --all-features --no-run

run_dir=${HARNESS_PCSC_RUN_DIR:-$(mktemp -d /tmp/harness-pcscd.XXXXXX)}
cleanup() {
    local status=$?
    "$here/pcscd-stop.sh" "$run_dir" || status=1
    if ((status != 0)); then
        echo "ci/test.sh: FAILED (exit $status); logs in $run_dir/logs" >&2
        tail -n 20 "$run_dir"/logs/card*.log >&2 2>/dev/null || true
        grep -v IFDControl "$run_dir/logs/pcscd.log" | tail -n 20 >&2 2>/dev/null || true
    elif [[ -z "${KEEP_RUN_DIR:-}" ]]; then
        rm -rf "$run_dir"
    fi
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# One reader per card. Roles in the PC/SC tests (harness/transport/tests/pcscd_card/):
#   yamada-taro   standard card: certificates, signature, text AP, photo; OpenSC checks
#   sato-hanako   face-only card
#   nakamura-aoi  wrong PIN three times (locks its user-auth PIN for this run)
#   watanabe-sora SIGKILL of the card process right after a wrong PIN
cards=(yamada-taro sato-hanako nakamura-aoi watanabe-sora)
profiles=()
for card in "${cards[@]}"; do profiles+=("$root/fixtures/cards/$card.toml"); done

# Plus empty readers into which the harness links its own card process per scenario
# (HARNESS_PCSC_SLOTS); pcscd takes 16 readers at most.
empty_readers=${HARNESS_EMPTY_READERS:-8}

step "start pcscd with ${#profiles[@]} virtual cards and $empty_readers empty readers"
timeout 120 "$here/pcscd-start.sh" "$run_dir" --empty "$empty_readers" "${profiles[@]}"
# shellcheck source=/dev/null
source "$run_dir/env"

failed=()
step "cargo test --workspace --all-features"
# --no-fail-fast: every test binary runs, so one failure does not hide the others.
# CLINIC_BROWSER_REQUIRED: the clinic's browser tests fail (not skip) without chromedriver.
CLINIC_BROWSER_REQUIRED=1 timeout 3000 cargo test --workspace --all-features --no-fail-fast \
    || failed+=("cargo test")

step "features through pcscd (HARNESS_TRANSPORT=pcsc)"
HARNESS_TRANSPORT=pcsc timeout 3000 cargo test --workspace --all-features --test features \
    || failed+=("features through pcscd")

step "faults that need root: a full disk under the result writer (tmpfs in a private mount namespace)"
if [[ $(id -u) == 0 ]]; then
    timeout 600 cargo test --workspace --all-features --test kill_writer -- --ignored \
        || failed+=("disk-full test")
else
    echo "skipped: not root (run: sudo cargo test -p harness-eligibility --test kill_writer -- --ignored)"
fi

step "clinic API load: 16 readers, whole PIN visits, 30 s"
timeout 1200 "$here/clinic-load.sh" || failed+=("clinic load")

step "OpenSC against the virtual card (reader: Virtual PCD 0 00 00, yamada-taro)"
timeout 300 "$here/opensc-checks.sh" "$run_dir" "Virtual PCD 0 00 00" "$root/fixtures/cards/yamada-taro.toml" \
    || failed+=("OpenSC checks")

# Last, because it needs pcscd to itself (one per machine): ours stops first; the cleanup trap's
# second stop finds nothing left to stop.
step "bench mode without hardware (ci/bench-sim.sh: its own pcscd, fixture-sim, harness run --bench)"
"$here/pcscd-stop.sh" "$run_dir" > /dev/null || failed+=("stopping pcscd before bench-sim")
timeout 3600 "$here/bench-sim.sh" || failed+=("bench-sim")

if ((${#failed[@]} > 0)); then
    step "FAILED: ${failed[*]}"
    exit 1
fi
step "all tests passed"

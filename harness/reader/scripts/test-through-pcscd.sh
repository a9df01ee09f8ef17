#!/usr/bin/env bash
# Runs harness-reader's pcscd tests (tests/pcscd.rs) through a real pcscd + vpcd with the virtual
# cards yamada-taro and sato-hanako, in a private mount + PID namespace: its own /run/pcscd, so it
# works while another pcscd runs on the machine, and everything it started ends with it.
# Needs root, util-linux `unshare`, and what ci/install-deps.sh installs.
#
#   harness/reader/scripts/test-through-pcscd.sh
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../../.." && pwd)

if [[ "${1:-}" != --inside ]]; then
    cd "$root"
    export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$root/target}
    cargo build -p virtual-card --bin virtual-card
    cargo test -p harness-reader --features pcsc --test pcscd --no-run
    exec unshare --mount --pid --fork --mount-proc "$0" --inside
fi

mount -t tmpfs tmpfs /run/pcscd
cd "$root"
export VIRTUAL_CARD_BIN=${VIRTUAL_CARD_BIN:-$CARGO_TARGET_DIR/debug/virtual-card}
run_dir=$(mktemp -d /tmp/reader-pcscd.XXXXXX)
trap '"$root/ci/pcscd-stop.sh" "$run_dir" || true; rm -rf "$run_dir"' EXIT
timeout 120 "$root/ci/pcscd-start.sh" "$run_dir" \
    "$root/fixtures/cards/yamada-taro.toml" "$root/fixtures/cards/sato-hanako.toml"
# shellcheck source=/dev/null
source "$run_dir/env"
log="$run_dir/test.log"
timeout 300 cargo test -p harness-reader --features pcsc --test pcscd -- --nocapture 2>&1 | tee "$log"
if grep -q SKIPPED "$log"; then
    echo "test-through-pcscd: a test skipped although pcscd was up" >&2
    exit 1
fi

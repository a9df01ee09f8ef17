#!/usr/bin/env bash
# Wall time of the whole feature suite, in-process and through real pcscd (harness bench `suite`).
# Starts pcscd with empty vpcd readers for the harness's card processes, stops it afterwards.
#   ci/bench-suite.sh          (HARNESS_EMPTY_READERS=16 by default: pcscd's maximum)
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$here")
cd "$root"

"$here/install-deps.sh"
target_dir=${CARGO_TARGET_DIR:-$root/target}
timeout 3000 cargo build --release -p virtual-card --bin virtual-card
export VIRTUAL_CARD_BIN="$target_dir/release/virtual-card"

run_dir=$(mktemp -d /tmp/harness-bench-suite.XXXXXX)
trap '"$here/pcscd-stop.sh" "$run_dir"; rm -rf "$run_dir"' EXIT
trap 'exit 130' INT TERM
timeout 120 "$here/pcscd-start.sh" "$run_dir" --empty "${HARNESS_EMPTY_READERS:-16}" > /dev/null
# shellcheck source=/dev/null
source "$run_dir/env"
HARNESS_TRANSPORT=pcsc timeout 3000 cargo bench -p harness --all-features --bench suite

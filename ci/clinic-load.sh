#!/usr/bin/env bash
# Load on the live clinic's control API: 16 readers driven at once through whole PIN-route
# visits over loopback HTTP for CLINIC_LOAD_SECONDS (default 30). Prints visits/s and errors;
# fails on any error or on a visit without exactly one result file.
#
#   ci/clinic-load.sh
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
export CLINIC_LOAD_SECONDS=${CLINIC_LOAD_SECONDS:-30}
timeout $((CLINIC_LOAD_SECONDS + 900)) cargo test --workspace --all-features --test clinic_load -- --ignored --nocapture

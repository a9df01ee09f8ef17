#!/usr/bin/env bash
# APDU round trip through pcscd + vpcd: our virtual card vs vsmartcard's Python vicc, in one run,
# plus our in-process rate. Starts and stops everything it needs (pcscd, our card, vicc).
#   ci/bench-apdu.sh            (HARNESS_BENCH_ROUNDS=2000 by default)
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$here")
cd "$root"

"$here/install-deps.sh"
target_dir=${CARGO_TARGET_DIR:-$root/target}
timeout 3000 cargo build --release -p virtual-card --bin virtual-card
export VIRTUAL_CARD_BIN="$target_dir/release/virtual-card"

run_dir=$(mktemp -d /tmp/harness-bench.XXXXXX)
trap '"$here/pcscd-stop.sh" "$run_dir"; rm -rf "$run_dir"' EXIT
trap 'exit 130' INT TERM

profile="$root/fixtures/cards/yamada-taro.toml"
# One profile: our card in "Virtual PCD 0 00 00" (port 35963); vicc takes "... 00 01" (35964).
timeout 120 "$here/pcscd-start.sh" "$run_dir" "$profile" > /dev/null
# shellcheck source=/dev/null
source "$run_dir/env"

# Debian's vicc: its package folder on PYTHONPATH, pycryptodome's Cryptodome visible as Crypto.
cryptodome=$(/usr/bin/python3 -c 'import Cryptodome, os; print(os.path.dirname(Cryptodome.__file__))')
mkdir -p "$run_dir/pyshim"
ln -sfn "$cryptodome" "$run_dir/pyshim/Crypto"
read -r -a ns_exec <<< "${HARNESS_PCSC_NETNS_EXEC:-}"
"${ns_exec[@]}" env PYTHONPATH="/usr/lib/python3/site-packages/virtualsmartcard:$run_dir/pyshim" \
    /usr/bin/python3 /usr/bin/vicc -t iso7816 -P 35964 < /dev/null > "$run_dir/logs/vicc.log" 2>&1 &
echo "card $! vicc" >> "$run_dir/pids"
vicc_reader="Virtual PCD 0 00 01"
deadline=$((SECONDS + 30))
until timeout 5 opensc-tool -l 2>/dev/null | grep -qE "^[0-9]+ +Yes .*${vicc_reader}\$"; do
    if ((SECONDS >= deadline)); then
        echo "bench-apdu: vicc did not show up in '$vicc_reader'" >&2
        cat "$run_dir/logs/vicc.log" >&2
        exit 1
    fi
    sleep 0.2
done

HARNESS_BENCH_OURS="Virtual PCD 0 00 00" HARNESS_BENCH_VICC="$vicc_reader" HARNESS_BENCH_PROFILE="$profile" \
    timeout 3000 cargo bench -p harness-transport --features pcsc --bench apdu_roundtrip

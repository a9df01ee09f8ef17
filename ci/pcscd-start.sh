#!/usr/bin/env bash
# Starts pcscd with one vpcd reader per card profile, and one `virtual-card serve` per profile.
#
#   ci/pcscd-start.sh RUN_DIR [--empty N] PROFILE [PROFILE ...]
#
# --empty N adds N readers after the profiles' with no card process: the harness links its own
# `virtual-card serve` to them per scenario (HARNESS_PCSC_SLOTS lists them as name=host:port).
#
# Nothing under /etc is touched: reader configs go to RUN_DIR/reader.conf.d, each vpcd entry with
# its own copy of the driver (entries sharing one .so talk to the same card). Entry k serves two
# readers, "Virtual PCD k 00 00" and "Virtual PCD k 00 01", on TCP ports 35963+2k and 35964+2k;
# profile i goes to port 35963+i.
#
# Exposure: vpcd 0.8 in its default mode listens on every interface (0.0.0.0), and its loopback-only
# "reversed" mode makes pcscd abort whenever a card connection ends (see virtual-card/src/link.rs),
# which rules out card restarts. So pcscd and the cards run in a private network namespace that has
# only a loopback interface: no other host can reach vpcd's ports. PC/SC clients still reach pcscd
# through its Unix socket (/run/pcscd/pcscd.comm). If namespaces are unavailable the script says so
# and runs in the host's namespace (vpcd then listens on all interfaces).
#
# Writes RUN_DIR/env (source it: HARNESS_PCSC=1, HARNESS_PCSC_READERS, HARNESS_PCSC_CARDS, ...),
# RUN_DIR/cards.tsv (reader, profile, state file, pid file, port) and RUN_DIR/pids (what
# ci/pcscd-stop.sh stops). Waits (bounded) until pcscd lists every reader with its card inserted.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$here")
run_dir=${1:?usage: pcscd-start.sh RUN_DIR [--empty N] PROFILE...}
shift
empty=0
if [[ "${1:-}" == --empty ]]; then
    empty=${2:?--empty needs a count}
    [[ "$empty" =~ ^[0-9]+$ ]] || { echo "pcscd-start: --empty $empty is not a count" >&2; exit 2; }
    shift 2
fi
(($# + empty > 0)) || { echo "pcscd-start: no card profiles and no empty readers given" >&2; exit 2; }
(($# + empty <= 16)) || { echo "pcscd-start: pcscd handles at most 16 readers" >&2; exit 2; }

bin=${VIRTUAL_CARD_BIN:-${CARGO_TARGET_DIR:-$root/target}/debug/virtual-card}
[[ -x "$bin" ]] || { echo "pcscd-start: $bin not built (cargo build -p virtual-card)" >&2; exit 2; }
driver=$(readlink -f /usr/lib/pcsc/drivers/serial/libifdvpcd.so 2>/dev/null || true)
[[ -f "$driver" ]] || driver=$(dpkg -L vsmartcard-vpcd 2>/dev/null | grep -m1 'libifdvpcd\.so' || true)
[[ -f "$driver" ]] || { echo "pcscd-start: vpcd driver not found (ci/install-deps.sh)" >&2; exit 2; }
wait_secs=${PCSCD_WAIT_SECS:-30}

if pgrep -x pcscd >/dev/null; then
    echo "pcscd-start: a pcscd is already running (pid $(pgrep -x pcscd | tr '\n' ' ')); only one per machine" \
         "(its socket /run/pcscd/pcscd.comm is fixed). Stop it first." >&2
    exit 1
fi

mkdir -p "$run_dir"
run_dir=$(cd "$run_dir" && pwd)
rm -rf "$run_dir/reader.conf.d" "$run_dir/drivers" "$run_dir/pids" "$run_dir/cards.tsv" "$run_dir/state"
mkdir -p "$run_dir/reader.conf.d" "$run_dir/drivers" "$run_dir/state" "$run_dir/logs" "$run_dir/run"
: > "$run_dir/pids"

# Any failure from here on: stop what was started.
trap 'echo "pcscd-start: failed; stopping what it started" >&2; "$here/pcscd-stop.sh" "$run_dir" || true' ERR

ns_exec=()
if [[ "${HARNESS_VPCD_NETNS:-1}" != 0 ]] && unshare --net true 2>/dev/null && command -v ip >/dev/null; then
    unshare --net sleep infinity < /dev/null > /dev/null 2>&1 &
    holder=$!
    echo "netns $holder sleep" >> "$run_dir/pids"
    for _ in $(seq 50); do
        [[ "$(readlink /proc/$holder/ns/net)" != "$(readlink /proc/self/ns/net)" ]] && break
        sleep 0.02
    done
    ns_exec=(nsenter "--net=/proc/$holder/ns/net")
    "${ns_exec[@]}" ip link set lo up
    echo "pcscd-start: vpcd confined to a private network namespace (loopback only; holder pid $holder)"
else
    echo "pcscd-start: WARNING: no network namespace; vpcd listens on 0.0.0.0:35963+ (all interfaces)" >&2
fi

readers=()
entries=$(( ($# + empty + 1) / 2 ))
for ((k = 0; k < entries; k++)); do
    port=$((35963 + 2 * k))
    mkdir -p "$run_dir/drivers/vpcd$k"
    cp "$driver" "$run_dir/drivers/vpcd$k/libifdvpcd.so"
    printf 'FRIENDLYNAME "Virtual PCD %d"\nDEVICENAME   /dev/null:0x%X\nLIBPATH      %s\nCHANNELID    0x%X\n' \
        "$k" "$port" "$run_dir/drivers/vpcd$k/libifdvpcd.so" "$port" > "$run_dir/reader.conf.d/vpcd$k"
done

"${ns_exec[@]}" pcscd --foreground ${PCSCD_DEBUG:+--debug --apdu} -c "$run_dir/reader.conf.d" \
    < /dev/null > "$run_dir/logs/pcscd.log" 2>&1 &
pcscd_pid=$!
echo "pcscd $pcscd_pid pcscd" >> "$run_dir/pids"

i=0
for profile in "$@"; do
    profile=$(readlink -f "$profile")
    [[ -f "$profile" ]] || { echo "pcscd-start: no profile $profile" >&2; false; }
    name=$(basename "$profile" .toml)
    port=$((35963 + i))
    reader="Virtual PCD $((i / 2)) 00 0$((i % 2))"
    state="$run_dir/state/$i-$name.toml"
    pid_file="$run_dir/run/card$i.pid"
    rm -f "$pid_file"
    "${ns_exec[@]}" "$bin" serve --profile "$profile" --state "$state" --vpcd "127.0.0.1:$port" \
        --pid-file "$pid_file" < /dev/null >> "$run_dir/logs/card$i.log" 2>&1 &
    echo "card $! virtual-card $pid_file" >> "$run_dir/pids"
    printf '%s\t%s\t%s\t%s\t%s\n' "$reader" "$profile" "$state" "$pid_file" "$port" >> "$run_dir/cards.tsv"
    readers+=("$reader")
    i=$((i + 1))
done

slots=()
for ((j = 0; j < empty; j++)); do
    slots+=("Virtual PCD $((i / 2)) 00 0$((i % 2))=127.0.0.1:$((35963 + i))")
    i=$((i + 1))
done

# Wait until every reader shows a card (opensc-tool -l: "Nr. Card Features Name").
deadline=$((SECONDS + wait_secs))
while :; do
    kill -0 "$pcscd_pid" 2>/dev/null || { echo "pcscd-start: pcscd exited:" >&2; tail -20 "$run_dir/logs/pcscd.log" >&2; false; }
    listing=$(timeout 5 opensc-tool -l 2>/dev/null || true)
    ready=0
    for reader in "${readers[@]}"; do
        grep -E "^[0-9]+ +Yes .*${reader}\$" <<< "$listing" >/dev/null && ready=$((ready + 1))
    done
    listed=0
    for slot in "${slots[@]}"; do
        grep -E "^[0-9]+ .*${slot%=*}\$" <<< "$listing" >/dev/null && listed=$((listed + 1))
    done
    ((ready == ${#readers[@]} && listed == ${#slots[@]})) && break
    if ((SECONDS >= deadline)); then
        echo "pcscd-start: $ready of ${#readers[@]} cards and $listed of ${#slots[@]} empty readers visible after ${wait_secs}s:" >&2
        echo "$listing" >&2
        tail -n 5 "$run_dir"/logs/card*.log >&2 || true
        false
    fi
    sleep 0.2
done

joined=$(IFS=';'; echo "${readers[*]}")
joined_slots=$(IFS=';'; echo "${slots[*]}")
{
    echo "export HARNESS_PCSC=1"
    printf 'export HARNESS_PCSC_READERS=%q\n' "$joined"
    printf 'export HARNESS_PCSC_CARDS=%q\n' "$run_dir/cards.tsv"
    printf 'export HARNESS_PCSC_SLOTS=%q\n' "$joined_slots"
    printf 'export HARNESS_PCSC_NETNS_EXEC=%q\n' "${ns_exec[*]}"
    printf 'export HARNESS_VIRTUAL_CARD_BIN=%q\n' "$bin"
    printf 'export HARNESS_PCSC_RUN_DIR=%q\n' "$run_dir"
} > "$run_dir/env"
trap - ERR
echo "pcscd-start: pcscd $pcscd_pid ready with ${#readers[@]} card(s) and ${#slots[@]} empty reader(s):"
opensc-tool -l

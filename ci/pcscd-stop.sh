#!/usr/bin/env bash
# Stops exactly what ci/pcscd-start.sh RUN_DIR started (cards, pcscd, the namespace holder),
# by the process ids it recorded, checking each is still the program it started.
#   ci/pcscd-stop.sh RUN_DIR
set -uo pipefail
run_dir=${1:?usage: pcscd-stop.sh RUN_DIR}
pids_file="$run_dir/pids"
[[ -f "$pids_file" ]] || { echo "pcscd-stop: nothing recorded in $run_dir"; exit 0; }

targets=()
is_ours() { # pid expected-program
    [[ -r /proc/$1/cmdline ]] && tr '\0' ' ' < "/proc/$1/cmdline" | grep -q -- "$2"
}
# Cards first? No: pcscd first, so it never sees a card vanish while stopping; then cards, then netns.
for kind in pcscd card netns; do
    while read -r k pid prog pid_file; do
        [[ "$k" == "$kind" ]] || continue
        # A card restarted by a test records its new pid in its pid file.
        if [[ "$k" == card && -n "${pid_file:-}" && -f "$pid_file" ]]; then
            current=$(cat "$pid_file" 2>/dev/null || true)
            [[ -n "$current" && "$current" != "$pid" ]] && is_ours "$current" "$prog" && targets+=("$current")
        fi
        if is_ours "$pid" "$prog"; then
            targets+=("$pid")
        fi
    done < "$pids_file"
    for pid in "${targets[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    for _ in $(seq 50); do
        alive=0
        for pid in "${targets[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
        ((alive)) || break
        sleep 0.1
    done
    for pid in "${targets[@]}"; do
        kill -0 "$pid" 2>/dev/null && { echo "pcscd-stop: $pid did not stop on TERM; KILL"; kill -KILL "$pid" 2>/dev/null; }
    done
    targets=()
done
rm -f "$pids_file"
echo "pcscd-stop: stopped what $run_dir recorded"

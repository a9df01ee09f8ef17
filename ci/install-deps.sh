#!/usr/bin/env bash
# Installs what the PC/SC tests, the browser tests and the benchmarks need, only the packages that are missing.
# Debian/Ubuntu (apt); uses sudo when not root. Safe to run again.
set -euo pipefail

# chromium + chromium-driver: the clinic's browser tests (WebDriver); fonts-ipafont-gothic: Japanese
# text in their screenshots.
packages=(pcscd libpcsclite-dev vsmartcard-vpcd vsmartcard-vpicc opensc pcsc-tools
          python3-pycryptodome pkg-config openssl iproute2 util-linux procps
          chromium chromium-driver fonts-ipafont-gothic)

missing=()
for pkg in "${packages[@]}"; do
    status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
    [[ "$status" == "install ok installed" ]] || missing+=("$pkg")
done

if ((${#missing[@]} == 0)); then
    echo "install-deps: all present (${packages[*]})"
    exit 0
fi

sudo=()
if [[ $(id -u) -ne 0 ]]; then
    command -v sudo >/dev/null || { echo "install-deps: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
    sudo=(sudo)
fi
running_before=$(pgrep -x pcscd || true)
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" timeout 600 apt-get update -qq
# --no-install-recommends keeps polkit and friends out; pcscd runs in the foreground here.
"${sudo[@]}" timeout 900 apt-get install -y -qq --no-install-recommends "${missing[@]}"

# pcscd's package may start the system pcscd (init script). Only one pcscd can run per machine
# (/run/pcscd/pcscd.comm), and ci/pcscd-start.sh runs its own: stop the one this install started.
started=$(pgrep -x pcscd || true)
if [[ -n "$started" && -z "$running_before" ]]; then
    echo "install-deps: the pcscd package started a system pcscd ($started); stopping it"
    "${sudo[@]}" /etc/init.d/pcscd stop >/dev/null 2>&1 || true
    for pid in $(pgrep -x pcscd || true); do "${sudo[@]}" kill -TERM "$pid" || true; done
fi

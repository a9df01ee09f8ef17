#!/usr/bin/env bash
# Unchanged OpenSC clients against a virtual card behind pcscd:
#   ci/opensc-checks.sh RUN_DIR READER_NAME PROFILE
# opensc-tool -n names the jpki driver; pkcs15-tool lists the PINs and reads certificate 01;
# pkcs15-crypt signs a SHA-256 hash with key 01 and openssl verifies it against that certificate.
set -euo pipefail
run_dir=${1:?usage: opensc-checks.sh RUN_DIR READER PROFILE}
reader=${2:?reader name}
profile=${3:?profile}
work="$run_dir/opensc"
mkdir -p "$work"

# OpenSC takes a reader index: find ours in its listing ("Nr. Card Features Name").
index=$(opensc-tool -l | awk -v name="$reader" '$0 ~ name"$" && $1 ~ /^[0-9]+$/ {print $1; exit}')
[[ -n "$index" ]] || { echo "opensc-checks: reader '$reader' not listed" >&2; opensc-tool -l >&2; exit 1; }
# The user-auth PIN from the card's profile ([pins] auth = "....").
pin=$(awk -F'"' '/^\[pins\]/{p=1; next} /^\[/{p=0} p && $1 ~ /^auth *= */ {print $2; exit}' "$profile")
[[ -n "$pin" ]] || { echo "opensc-checks: no auth PIN in $profile" >&2; exit 1; }

check() { printf -- '--- %s\n' "$*"; }

check "opensc-tool -r $index -n"
name=$(opensc-tool -r "$index" -n)
echo "$name"
grep -qi jpki <<< "$name" || { echo "opensc-checks: card not named by the jpki driver: $name" >&2; exit 1; }

check "pkcs15-tool --reader $index --list-pins"
pkcs15-tool --reader "$index" --list-pins | tee "$work/pins.txt"
grep -q "PIN" "$work/pins.txt" || { echo "opensc-checks: no PIN listed" >&2; exit 1; }

check "pkcs15-tool --reader $index --read-certificate 01"
pkcs15-tool --reader "$index" --read-certificate 01 > "$work/cert01.pem"
openssl x509 -in "$work/cert01.pem" -noout -subject -issuer

check "pkcs15-crypt --reader $index -s -k 01 --sha-256 --pkcs1 -i h.bin -o sig -p ****"
printf 'challenge signed through OpenSC\n' > "$work/message.txt"
openssl dgst -sha256 -binary "$work/message.txt" > "$work/h.bin"
pkcs15-crypt --reader "$index" -s -k 01 --sha-256 --pkcs1 -i "$work/h.bin" -o "$work/sig" -p "$pin"
echo "signature: $(stat -c %s "$work/sig") bytes"
openssl x509 -in "$work/cert01.pem" -noout -pubkey > "$work/pub01.pem"
openssl dgst -sha256 -verify "$work/pub01.pem" -signature "$work/sig" "$work/message.txt"
echo "opensc-checks: all passed"

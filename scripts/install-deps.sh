#!/usr/bin/env bash
# Installs the Debian packages the build and the tests need, only those missing (we are root on a
# fresh Debian 12 machine in CI). Quiet when everything is already there.
set -euo pipefail
pkgs=(g++ make libcli11-dev libxxhash-dev libzstd-dev nlohmann-json3-dev doctest-dev zlib1g-dev libre2-dev libsimdjson-dev
      zstd gzip groff-base jq python3 clang libclang-rt-14-dev)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "install-deps: installing ${missing[*]}" >&2
  if [ "$(id -u)" != 0 ]; then SUDO=sudo; else SUDO=; fi
  $SUDO apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
fi

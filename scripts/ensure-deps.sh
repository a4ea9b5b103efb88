#!/usr/bin/env bash
# Installs what Hotline Desk needs and is missing, for a fresh Debian 12 or
# Ubuntu 22.04+ machine. Idempotent and quiet when everything is present.
#
#   scripts/ensure-deps.sh run    build + run the app (WebKitGTK build packages)
#   scripts/ensure-deps.sh test   also Xvfb, WebKitWebDriver and tauri-driver
#
# System packages come from apt: directly as root, through sudo when it needs
# no password prompt, otherwise the one apt command to run is printed and the
# script stops.
set -euo pipefail

purpose="${1:-run}"
TAURI_DRIVER_VERSION="2.1.0"

run_packages=(libwebkit2gtk-4.1-dev build-essential curl wget file libxdo-dev libssl-dev
  libayatana-appindicator3-dev librsvg2-dev pkg-config)
test_packages=(xvfb xauth webkit2gtk-driver python3-venv chromium)

packages=("${run_packages[@]}")
if [ "$purpose" = "test" ]; then
  packages+=("${test_packages[@]}")
fi

missing=()
for pkg in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$pkg")
  fi
done

if [ "${#missing[@]}" -gt 0 ]; then
  apt_cmd=(apt-get install -y --no-install-recommends "${missing[@]}")
  if [ "$(id -u)" -eq 0 ]; then
    sudo_cmd=()
  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    sudo_cmd=(sudo)
  else
    echo "Hotline Desk needs these system packages: ${missing[*]}" >&2
    echo "Install them with this one command, then run make again:" >&2
    echo "  sudo apt-get update && sudo ${apt_cmd[*]}" >&2
    exit 1
  fi
  echo "Installing system packages: ${missing[*]}"
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" "${apt_cmd[@]}"
fi

for tool in cargo node npm; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "Hotline Desk needs '$tool' on PATH (Rust via rustup; Node.js 20+ with npm)." >&2
    exit 1
  fi
done

if [ "$purpose" = "test" ] && ! command -v tauri-driver >/dev/null 2>&1; then
  echo "Installing tauri-driver $TAURI_DRIVER_VERSION (cargo install --locked)"
  cargo install tauri-driver --locked --version "$TAURI_DRIVER_VERSION"
fi

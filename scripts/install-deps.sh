#!/usr/bin/env bash
# Debian packages the build and the tests use: gcc-multilib (32-bit test guests and the qemu-i386
# oracle runner), nasm and binutils (guests), qemu-user (qemu-i386 oracle). Skips what is present.
set -euo pipefail
PKGS=(gcc-multilib nasm binutils qemu-user make)
missing=()
for p in "${PKGS[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

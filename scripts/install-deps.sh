#!/usr/bin/env bash
# Debian packages the build and the tests use: gcc-multilib (32-bit test guests and the qemu-i386
# oracle runner), nasm and binutils (guests), qemu-user (qemu-i386 oracle), seabios (the firmware
# the PC tests boot with --bios; the test skips without it). Skips what is present.
set -euo pipefail
# grub-xen-bin: PV GRUB modules for grub-mkimage -O i386-xen (tests/xen/pv-grub.test.ts).
# e2fsprogs: mke2fs -d builds the ext2 disk PV GRUB boots from (tests/xen/pv-grub-disk.test.ts).
PKGS=(gcc-multilib nasm binutils qemu-user make seabios grub-xen-bin e2fsprogs)
missing=()
for p in "${PKGS[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

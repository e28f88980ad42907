#!/bin/bash
# Boot a multiboot kernel under qemu-system-i386 (TCG) and print its COM1 output.
# Usage: run-qemu.sh kernel.elf   (env: QEMU_TIMEOUT seconds, default 60; QEMU_CPU model)
# Stops as soon as a line "DONE" has been printed.
set -u
K=$(readlink -f "$1")
T=$(mktemp -d /tmp/qemu-run.XXXXXX)
: > "$T/out.txt"
qemu-system-i386 -kernel "$K" -m 64 -cpu "${QEMU_CPU:-qemu32,+nx}" \
    -serial "file:$T/out.txt" -display none -monitor none -no-reboot \
    > "$T/stdout" 2>&1 < /dev/null &
PID=$!
for i in $(seq 1 $(( ${QEMU_TIMEOUT:-60} * 10 ))); do
    sleep 0.1
    grep -q '^DONE' "$T/out.txt" 2>/dev/null && break
    kill -0 $PID 2>/dev/null || break
done
kill $PID 2>/dev/null
wait $PID 2>/dev/null
tr -d '\r' < "$T/out.txt"
rm -rf "$T"

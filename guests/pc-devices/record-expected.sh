#!/bin/bash
# Record the reference outputs of the PC device kernels under QEMU (the oracle):
#   qemu-system-i386 -kernel K.elf -serial stdio -icount shift=0 (deterministic virtual time)
#   -rtc base=2024-01-01T00:00:00,clock=vm (the same RTC start date as ringone's default)
# uart-rx gets "hello ringone" on its serial input. Outputs go to expected/NAME.qemu.txt.
# Usage: guests/pc-devices/record-expected.sh [NAME...]   (env QEMU_TIMEOUT, default 60 s)
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
make -s -C "$HERE" all || exit 1
NAMES=${*:-$(make -s -C "$HERE" --no-print-directory list)}
mkdir -p "$HERE/expected"
for n in $NAMES; do
    K="$HERE/../build/pc-devices/$n.elf"
    T=$(mktemp -d /tmp/qemu-dev.XXXXXX)
    mkfifo "$T/in"
    qemu-system-i386 -kernel "$K" -m 32 -serial stdio -display none -monitor none -no-reboot \
        -icount shift=${ICOUNT_SHIFT:-0},sleep=off -rtc base=2024-01-01T00:00:00,clock=vm < "$T/in" > "$T/out.txt" 2>"$T/err" &
    PID=$!
    exec 3>"$T/in"
    [ "$n" = uart-rx ] && { sleep 1; printf 'hello ringone\n' >&3; }
    for i in $(seq 1 $(( ${QEMU_TIMEOUT:-60} * 10 ))); do
        sleep 0.1
        grep -q '^DONE' "$T/out.txt" 2>/dev/null && break
        kill -0 $PID 2>/dev/null || break
    done
    kill $PID 2>/dev/null; wait $PID 2>/dev/null
    exec 3>&-
    tr -d '\r' < "$T/out.txt" > "$HERE/expected/$n.qemu.txt"
    grep -q '^DONE$' "$HERE/expected/$n.qemu.txt" || echo "warning: $n: no DONE line under QEMU" >&2
    echo "$n: $(wc -l < "$HERE/expected/$n.qemu.txt") lines"
    rm -rf "$T"
done

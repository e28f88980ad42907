#!/bin/bash
# Record the reference outputs of the PC test kernels.
#
# Usage: guests/pc/record-expected.sh [NAME...]     (default: every kernel)
#
# For each kernel NAME (guests/pc/NAME.asm, built into guests/build/pc/NAME.elf):
#   expected/NAME.bochs.txt     COM1 output under Bochs (GRUB boots the kernel;
#                               /work/shared/tools/bochs-multiboot.sh)
#   expected/NAME.qemu.txt      COM1 output under qemu-system-i386 -kernel (TCG)
#   expected/NAME.expected.txt  what ringone is compared against: the Bochs
#                               output, with the lines listed in
#                               expected/NAME.sdm-fixes (if any) replaced by
#                               their SDM-correct versions.
# An .sdm-fixes file holds pairs of lines: "- <bochs line>" then "+ <line>".
# Bochs and QEMU for one kernel run side by side (two cores).
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
GUESTS=$(dirname "$HERE")
BOCHS_SH=${BOCHS_SH:-/work/shared/tools/bochs-multiboot.sh}
EXP="$HERE/expected"
make -s -C "$GUESTS" all || exit 1
if [ $# -gt 0 ]; then
    NAMES="$*"
else
    NAMES=$(make -s -C "$GUESTS" --no-print-directory list-pc)
fi
mkdir -p "$EXP"
status=0
for n in $NAMES; do
    elf="$GUESTS/build/pc/$n.elf"
    BOCHS_TIMEOUT=${BOCHS_TIMEOUT:-120} "$BOCHS_SH" "$elf" > "$EXP/$n.bochs.txt" &
    bpid=$!
    "$HERE/run-qemu.sh" "$elf" > "$EXP/$n.qemu.txt"
    wait $bpid
    python3 - "$EXP/$n.bochs.txt" "$EXP/$n.sdm-fixes" "$EXP/$n.expected.txt" <<'PY' || status=1
import os, sys
src, fixes, dst = sys.argv[1:4]
lines = open(src).read().split('\n')
if os.path.exists(fixes):
    fx = [l for l in open(fixes).read().split('\n') if l.startswith(('- ', '+ '))]
    for old, new in zip(fx[0::2], fx[1::2]):
        assert old.startswith('- ') and new.startswith('+ '), (old, new)
        if old[2:] not in lines:
            sys.exit('%s: fix does not match the Bochs output: %s' % (fixes, old[2:]))
        lines[lines.index(old[2:])] = new[2:]
open(dst, 'w').write('\n'.join(lines))
PY
    for f in "$EXP/$n.bochs.txt" "$EXP/$n.qemu.txt"; do
        grep -q '^DONE$' "$f" || echo "warning: $(basename "$f"): no DONE line" >&2
        grep -q '^UNEXPECTED' "$f" && echo "warning: $(basename "$f"): UNEXPECTED exception" >&2
    done
    printf '%-18s %3d lines (bochs)  %3d lines differ from qemu\n' "$n" \
        "$(grep -vc '^DONE$' "$EXP/$n.bochs.txt")" \
        "$(diff "$EXP/$n.bochs.txt" "$EXP/$n.qemu.txt" | grep -c '^<')"
done
exit $status

#!/usr/bin/env bash
# Self-check of the native oracle runners (see README.md).
#   tests/native/selftest.sh          build, run the checks, exit 1 on mismatch
#   tests/native/selftest.sh --bench  also measure throughput (50k add cases)
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
QEMU=${QEMU_I386:-qemu-i386}
R64="$HERE/build/x86run64"
R32="$HERE/build/x86run32"

make -s -C "$HERE" || { echo "selftest: build failed" >&2; exit 2; }
command -v "$QEMU" >/dev/null || { echo "selftest: $QEMU not found" >&2; exit 2; }

pass=0
fail=0

run64() { "$R64"; }
run32() { "$QEMU" "$R32"; }

# FNV-1a 32 of a hex byte string
fnv1a() {
    local hex=$1 h=$((0x811c9dc5)) i
    for ((i = 0; i < ${#hex}; i += 2)); do
        h=$(( ((h ^ 0x${hex:i:2}) * 0x01000193) & 0xffffffff ))
    done
    printf '%08x' "$h"
}

# check 64|32 DESC INPUT EXPECT...
#   INPUT: case lines separated by '|'; the LAST output line is checked.
#   EXPECT: NAME=hex with NAME one of EAX ECX EDX EBX ESP EBP ESI EDI EFLAGS
#           EXC MEMHASH MEM, or FLAGS&MASK=hex (masked EFLAGS), or
#           MEM@OFF=hex (bytes at hex offset OFF of MEM).
check() {
    local mode=$1 desc=$2 input=$3
    shift 3
    local out rc
    out=$(printf '%s\n' "${input//|/$'\n'}" | "run$mode")
    rc=$?
    local last=${out##*$'\n'}
    local -a f
    read -r -a f <<<"$last"
    local errs=""
    [ "$rc" -eq 0 ] || errs+=" exit=$rc"
    if [ "${#f[@]}" -ne 12 ]; then
        errs+=" bad-line"
    else
        local memhex=${f[11]}
        [ "$memhex" = "-" ] && memhex=""
        [ "$(fnv1a "$memhex")" = "${f[10]}" ] || errs+=" MEMHASH-inconsistent"
        local e name want got off
        for e in "$@"; do
            name=${e%%=*}
            want=${e#*=}
            case $name in
            EAX) got=${f[0]} ;; ECX) got=${f[1]} ;; EDX) got=${f[2]} ;; EBX) got=${f[3]} ;;
            ESP) got=${f[4]} ;; EBP) got=${f[5]} ;; ESI) got=${f[6]} ;; EDI) got=${f[7]} ;;
            EFLAGS) got=${f[8]} ;; EXC) got=${f[9]} ;; MEMHASH) got=${f[10]} ;; MEM) got=${f[11]} ;;
            FLAGS\&*)
                got=$(printf '%03x' $(( 0x${f[8]} & 0x${name#FLAGS&} )))
                want=$(printf '%03x' $(( 0x$want ))) ;;
            MEM@*)
                off=$(( 0x${name#MEM@} * 2 ))
                got=${f[11]:off:${#want}} ;;
            *) got="?unknown-field" ;;
            esac
            [ "$got" = "$want" ] || errs+=" $name=$got(want $want)"
        done
    fi
    if [ -z "$errs" ]; then
        pass=$((pass + 1))
    else
        fail=$((fail + 1))
        echo "FAIL [x86run$mode] $desc:$errs"
        echo "     in:  ${input:0:160}"
        echo "     out: ${last:0:160}"
    fi
}

Z256=$(printf '%0512d' 0)                    # 256 zero bytes as hex

for m in 64 32; do
    # add eax,ecx: overflow edge (OF SF AF PF), carry edge (CF PF AF ZF)
    check $m "add ovf"   "01c8 7fffffff 00000001 0 0 0 0 0 0 0" \
        EAX=80000000 ECX=00000001 FLAGS\&8d5=894 EXC=- MEM=- MEMHASH=811c9dc5
    check $m "add carry" "01c8 ffffffff 00000001 0 0 0 0 0 0 8d5" \
        EAX=00000000 FLAGS\&8d5=055 EXC=-
    check $m "add 16"    "6601c8 1234ffff 00000001 0 0 0 0 0 0 0" EAX=12340000 FLAGS\&8d5=055
    check $m "regs pass" "90 11111111 22222222 33333333 44444444 00100100 55555555 66666666 77777777 0" \
        EAX=11111111 ECX=22222222 EDX=33333333 EBX=44444444 ESP=00100100 EBP=55555555 ESI=66666666 EDI=77777777
    # exceptions
    check $m "div0"      "f7f1 00000005 00000000 0 0 0 0 0 0 0" EXC=00 EAX=00000005
    check $m "ud2"       "0f0b 0 0 0 0 0 0 0 0 0" EXC=06
    check $m "int3"      "cc 0 0 0 0 0 0 0 0 0" EXC=03
    check $m "hlt #GP"   "f4 0 0 0 0 0 0 0 0 0" EXC=0d
    check $m "#PF"       "8b03 0 0 0 00000000 0 0 0 0 0" EXC=0e
    check $m "fault regs" "8b03 0 0 00000007 00000000 0 0 0 0 00000801" EXC=0e EDX=00000007 FLAGS\&8d5=801
    check $m "timeout"   "ebfe 1 2 3 4 5 6 7 8 0" EXC=ff EAX=00000001
    # memory
    check $m "load"      "8b03 0 0 0 00100000 0 0 0 0 0 78563412" EAX=12345678 MEM=78563412 MEMHASH=a3649785
    check $m "store"     "8903 cafebabe 0 0 00100004 0 0 0 0 0 0000000000000000" MEM=00000000bebafeca EXC=-
    check $m "isolation" "8903 deadbeef 0 0 0010f000 0 0 0 0 0|8b03 0 0 0 0010f000 0 0 0 0 0" EAX=00000000
    check $m "isolation2" "8903 deadbeef 0 0 00100008 0 0 0 0 0 00|8b03 1 0 0 00100008 0 0 0 0 0 00" EAX=00000000
    check $m "rep stosd" "f3ab 12345678 00000003 0 0 0 0 0 00100002 0 $(printf '%032d' 0)" \
        MEM=00007856341278563412785634120000 ECX=00000000 EDI=0010000e
    # state isolation: DF set by one case is not seen by the next
    check $m "DF out"    "fd 0 0 0 0 0 0 0 0 0" FLAGS\&400=400
    check $m "DF clean"  "fd 0 0 0 0 0 0 0 0 0|90 0 0 0 0 0 0 0 0 0" FLAGS\&400=000
    check $m "DF in"     "fc 0 0 0 0 0 0 0 0 400|90 0 0 0 0 0 0 0 0 400" FLAGS\&400=400
    # protocol errors keep one output line per case
    out=$(printf 'zz 0 0 0 0 0 0 0 0 0\n' | "run$m")
    if [ "${out%% *}" = ERR ]; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL [x86run$m] ERR line: $out"; fi
done

# the runner survives cases that reload segment registers
check 64 "mov fs"    "8ee0 0000002b 0 0 0 0 0 0 0 0|01c8 1 2 0 0 0 0 0 0 0" EAX=00000003 EXC=-
check 64 "mov gs+#GP" "8ee8f4 00000000 0 0 0 0 0 0 0 0|01c8 1 2 0 0 0 0 0 0 0" EAX=00000003 EXC=-
check 32 "mov gs"    "8ee8 00000000 0 0 0 0 0 0 0 0|01c8 1 2 0 0 0 0 0 0 0" EAX=00000003 EXC=-
check 32 "mov ds+#GP" "8ed8f4 00000023 0 0 0 0 0 0 0 0|01c8 1 2 0 0 0 0 0 0 0" EAX=00000003 EXC=-
check 32 "pop gs"    "0fa9 0 0 0 0 00100100 0 0 0 0 $Z256|01c8 1 2 0 0 0 0 0 0 0" EAX=00000003 EXC=-

# forms that only exist in 32-bit mode (x86run32 under qemu-i386)
check 64 "daa #UD"   "27 0000009a 0 0 0 0 0 0 0 0" EXC=06
check 32 "daa"       "27 0000009a 0 0 0 0 0 0 0 0" EAX=00000000 FLAGS\&0d5=055 EXC=-
check 32 "aam"       "d40a 0000003f 0 0 0 0 0 0 0 0" EAX=00000603 EXC=-
check 32 "aam 0"     "d400 0000003f 0 0 0 0 0 0 0 0" EXC=00
check 32 "inc 40"    "40 7fffffff 0 0 0 0 0 0 0 1" EAX=80000000 FLAGS\&8d5=895
check 32 "pusha"     "60 11111111 22222222 33333333 44444444 00100100 55555555 66666666 77777777 0 $Z256" \
    ESP=001000e0 EXC=- \
    MEM@e0=7777777766666666555555550001100044444444333333332222222211111111
check 32 "popa"      "61 0 0 0 0 001000e0 0 0 0 0 ${Z256:0:448}7777777766666666555555550001100044444444333333332222222211111111" \
    EAX=11111111 ECX=22222222 EDX=33333333 EBX=44444444 ESP=00100100 EBP=55555555 ESI=66666666 EDI=77777777
check 32 "push eax"  "50 aabbccdd 0 0 0 00100100 0 0 0 0 $Z256" ESP=001000fc MEM@fc=ddccbbaa
check 32 "bound ok"  "6202 00000003 0 00100000 0 0 0 0 0 0 0000000005000000" EXC=-
check 32 "bound #BR" "6202 00000010 0 00100000 0 0 0 0 0 0 0000000005000000" EXC=05 EAX=00000010
check 32 "into"      "ce 0 0 0 0 0 0 0 0 0" EXC=-
check 32 "into #OF"  "ce 0 0 0 0 0 0 0 0 800" EXC=04
check 32 "les"       "c407 0 0 0 0 0 0 0 00100000 0 785634122b00" EAX=12345678 EXC=-

echo "selftest: $pass passed, $fail failed"

if [ "${1:-}" = "--bench" ]; then
    N=${BENCH_N:-50000}
    tmp=$(mktemp)
    awk -v n="$N" 'BEGIN { srand(1);
        for (i = 0; i < n; i++) {
            line = "01c8";
            for (r = 0; r < 8; r++)
                line = line sprintf(" %04x%04x", int(rand() * 65536), int(rand() * 65536));
            print line, sprintf("%03x", int(rand() * 4096)), "00112233445566778899aabbccddeeff";
        } }' >"$tmp"
    for m in 64 32; do
        s=$(date +%s.%N)
        lines=$("run$m" <"$tmp" | wc -l)
        e=$(date +%s.%N)
        awk -v m="$m" -v n="$lines" -v s="$s" -v e="$e" \
            'BEGIN { printf "bench x86run%s: %d cases in %.3f s = %.0f cases/s\n", m, n, e - s, n / (e - s) }'
    done
    rm -f "$tmp"
fi

[ "$fail" -eq 0 ]

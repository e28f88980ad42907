/**
 * Physical accesses outside the TLB fast path: guest RAM, the firmware ROM just below 4 GiB (its
 * bytes follow RAM in linear memory; writes are ignored), and MMIO (everything else), which the
 * host serves through exits with an in-order replay log:
 *
 *   first execution:  the access finds no logged answer -> exit MMIO (address, size, write value)
 *                     with the instruction rewound; later MMIO accesses of the same try are skipped
 *   host:             performs the access, appends {addr, size, is-write, value} to MMIO_LOG
 *   replay:           the instruction runs again and consumes the log entries in order
 *   completion:       the log is cleared (step() calls mmioInstructionDone()).
 *
 * So a device sees each access once and in program order, and the instruction commits only once
 * every value it needs is known.
 */
import {
  STATE, EXIT, RAM_BASE, S_RAM_SIZE, S_ROM_SIZE, S_MMIO_COUNT, S_MMIO_POS, MMIO_LOG, MMIO_LOG_MAX,
  X_ADDR, X_SIZE, X_IS_OUT, X_VALUE, EXIT_MMIO,
} from "../gen/layout";
import { requestExit, exitReason } from "../cpu/exits";
import { jitWriteHook } from "../jit/cache";

// @ts-ignore: decorator
@inline function ramSize(): u32 { return load<u32>(STATE + S_RAM_SIZE); }
// @ts-ignore: decorator
@inline function romSize(): u32 { return load<u32>(STATE + S_ROM_SIZE); }

/** Host address of a ROM byte, or 0 when `pa` is not in the ROM window. */
function romHost(pa: u32): usize {
  const size = romSize();
  if (size == 0 || pa < <u32>(0 - size)) return 0;
  return RAM_BASE + ramSize() + (pa - <u32>(0 - size));
}

function mmio(pa: u32, size: i32, isWrite: bool, value: i32): i32 {
  if (exitReason == EXIT_MMIO) return 0; // this try is already abandoned
  const pos = load<i32>(STATE + S_MMIO_POS);
  if (pos < load<i32>(STATE + S_MMIO_COUNT) && pos < <i32>MMIO_LOG_MAX) {
    store<i32>(STATE + S_MMIO_POS, pos + 1);
    return load<i32>(MMIO_LOG + (pos << 4) + 12);
  }
  store<u32>(EXIT + X_ADDR, pa);
  store<i32>(EXIT + X_SIZE, size);
  store<i32>(EXIT + X_IS_OUT, isWrite ? 1 : 0);
  store<i32>(EXIT + X_VALUE, value);
  store<i32>(STATE + S_MMIO_POS, 0); // the replay consumes the log from the start
  requestExit(EXIT_MMIO, true);
  return 0;
}

export function mmioInstructionDone(): void {
  store<i32>(STATE + S_MMIO_POS, 0);
  store<i32>(STATE + S_MMIO_COUNT, 0);
}

/** Read `size` (1, 2, 4) bytes at a physical address that does not cross a page. */
export function physRead(pa: u32, size: i32): i32 {
  if (pa < ramSize() && pa + <u32>(size - 1) < ramSize()) {
    const h = RAM_BASE + pa;
    return size == 4 ? load<i32>(h) : size == 2 ? <i32>load<u16>(h) : <i32>load<u8>(h);
  }
  const r = romHost(pa);
  if (r != 0 && romHost(pa + <u32>(size - 1)) != 0) {
    return size == 4 ? load<i32>(r) : size == 2 ? <i32>load<u16>(r) : <i32>load<u8>(r);
  }
  if (pa < ramSize()) { // straddles the end of RAM: byte by byte
    let v = 0;
    for (let i = 0; i < size; i++) v |= physRead(pa + <u32>i, 1) << (i << 3);
    return v;
  }
  const v = mmio(pa, size, false, 0);
  return size == 4 ? v : v & ((1 << (size << 3)) - 1);
}

/** Write `size` (1, 2, 4) bytes at a physical address that does not cross a page. */
export function physWrite(pa: u32, size: i32, v: i32): void {
  if (pa < ramSize() && pa + <u32>(size - 1) < ramSize()) {
    const h = RAM_BASE + pa;
    jitWriteHook(pa, size);
    if (size == 4) store<i32>(h, v); else if (size == 2) store<u16>(h, v); else store<u8>(h, v);
    return;
  }
  if (romHost(pa) != 0) return; // ROM: writes are ignored
  if (pa < ramSize()) {
    for (let i = 0; i < size; i++) physWrite(pa + <u32>i, 1, v >>> (i << 3));
    return;
  }
  mmio(pa, size, true, v);
}

/** ROM pages may be cached in the TLB (read-only); returns the host page or 0. */
export function romPageHost(pa: u32): usize { return romHost(pa & ~0xfff); }

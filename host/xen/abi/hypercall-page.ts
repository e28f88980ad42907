/**
 * x86_32 PV hypercall entry: the `int 0x82` vector and the hypercall page.
 *
 * NOT in the 4.17 public headers: old Xen 3.x headers defined `TRAP_INSTR "int $0x82"` in
 * xen-x86_32.h, today's do not (tests/xen/abi-layout.test.ts asserts that the names below are
 * absent from /usr/include/xen, so nobody mistakes them for header-checked values). The facts are
 * Xen's documented behaviour: ring 1 issues `int 0x82` with EAX = hypercall number and arguments
 * in EBX, ECX, EDX, ESI, EDI (EBP for a sixth); the builder fills the page named by
 * XEN_ELFNOTE_HYPERCALL_PAGE with 128 stubs of 32 bytes.
 */
import { __HYPERVISOR_iret } from "./xen.ts";

/** The software-interrupt vector of the PV hypercall gate (IDT DPL 1). */
export const HYPERCALL_VECTOR = 0x82;
/** The instruction bytes `int 0x82` (the historical TRAP_INSTR). */
export const TRAP_INSTR: readonly number[] = [0xcd, 0x82];
export const HYPERCALL_PAGE_SIZE = 4096;
export const HYPERCALL_STUB_SIZE = 32;
export const HYPERCALL_STUB_COUNT = HYPERCALL_PAGE_SIZE / HYPERCALL_STUB_SIZE;

/**
 * Build the PV (ring-1) hypercall page: every stub `mov eax, n; int 0x82; ret`, except stub 23
 * (iret), which the guest jumps to with an iret frame on the stack: `push eax; mov eax, 23;
 * int 0x82`. Unused bytes are int3 (0xCC).
 */
export function buildPvHypercallPage(): Uint8Array {
  const page = new Uint8Array(HYPERCALL_PAGE_SIZE).fill(0xcc);
  for (let n = 0; n < HYPERCALL_STUB_COUNT; n++) {
    const o = n * HYPERCALL_STUB_SIZE;
    let p = o;
    if (n === __HYPERVISOR_iret) page[p++] = 0x50; // push eax
    page[p++] = 0xb8; // mov eax, imm32
    page[p++] = n & 0xff; page[p++] = (n >>> 8) & 0xff; page[p++] = 0; page[p++] = 0;
    page[p++] = TRAP_INSTR[0]; page[p++] = TRAP_INSTR[1];
    if (n !== __HYPERVISOR_iret) page[p++] = 0xc3; // ret
  }
  return page;
}

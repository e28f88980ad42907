/**
 * THE memory map and CPU state layout, shared by the Wasm core and the host.
 *
 * This file is the single source: `npm run gen` writes assembly/gen/layout.ts from it, and the
 * host imports it directly. Never hand-edit the generated copy. A test checks that the core's
 * exported `layoutChecksum()` equals `layoutChecksum(LAYOUT)` computed here.
 *
 *   Wasm linear memory
 *   0x0000_0000  null guard (4 KiB, never touched)
 *   0x0000_1000  CPU state block (STATE, 4 KiB): registers, segment cache, control registers
 *   0x0000_2000  exit mailbox (EXIT, 256 B): reason and payload of the last exit
 *   0x0000_3000  intercept bitmaps (software-interrupt vectors the host claims; exceptions it wants)
 *   0x0000_4000  FPU state (FPU, 512 B)
 *   0x0040_0000  TLB: 2^20 x i32 entries, one per virtual page (4 MiB)
 *   0x0080_0000  TLB valid-entry list (64 Ki x u32) for O(used) flushes
 *   0x0090_0000  AssemblyScript static data and heap (memoryBase in asconfig.json)
 *   0x0100_0000  guest RAM: guest physical 0 is at RAM_BASE, so TLB entries hold host addresses
 */

export const PAGE_SIZE = 4096;

export const STATE = 0x1000;
export const EXIT = 0x2000;
export const INTERCEPT = 0x3000;
export const FPU = 0x4000;
/**
 * MMIO replay log (MMIO_LOG_MAX entries of 16 bytes: address, size, is-write, value). An access to
 * a physical address outside RAM and ROM exits with MMIO before the instruction commits; the host
 * performs it and appends the entry; the instruction is replayed and consumes the entries in order.
 */
export const MMIO_LOG = 0x5000;
export const MMIO_LOG_MAX = 8;
/**
 * JIT (docs/jit.md): the decode record the core's jitDecode() fills for the host compiler, the
 * code-cache hash buckets (u32 entry index + 1) and the cache entries (JIT_ENTRY_SIZE bytes each,
 * offsets JE). Per-physical-page lists of compiled entries live after guest RAM and ROM (S.JIT_PAGES).
 */
export const JIT_DECODE = 0x6000;
export const JIT_BUCKETS = 0x100000;
export const JIT_BUCKET_COUNT = 1 << 15;
export const JIT_ENTRIES = 0x120000;
export const JIT_ENTRY_SIZE = 32;
export const JIT_ENTRY_MAX = 1 << 16;
export const TLB = 0x400000;
export const TLB_ENTRIES = 1 << 20;
export const TLB_LIST = 0x800000;
export const TLB_LIST_MAX = 65536;
export const AS_BASE = 0x900000;
export const RAM_BASE = 0x1000000;

/** Offsets inside the state block (bytes from STATE). */
export const S = {
  // General registers in encoding order: EAX ECX EDX EBX ESP EBP ESI EDI (i32 each).
  REGS: 0x00,
  EIP: 0x20,
  /** Materialised EFLAGS; the arithmetic bits are stale while LAZY_OP != 0 (see flags.ts). */
  EFLAGS: 0x24,
  LAZY_OP: 0x28,
  LAZY_DST: 0x2c,
  LAZY_SRC1: 0x30,
  LAZY_SRC2: 0x34,
  CPL: 0x38,
  /** Bit 0: CS.D (32-bit code), bit 1: SS.B (32-bit stack), bit 2: protected mode, bit 3: v86, bit 4: paging. */
  MODE: 0x3c,
  CR0: 0x40,
  CR2: 0x44,
  CR3: 0x48,
  CR4: 0x4c,
  DR: 0x50, // DR0..DR7, 8 x i32
  EFER: 0x70,
  GDTR_BASE: 0x74,
  GDTR_LIMIT: 0x78,
  IDTR_BASE: 0x7c,
  IDTR_LIMIT: 0x80,
  /** Segment cache: ES CS SS DS FS GS LDTR TR, SEG_SIZE bytes each (see SEG below). */
  SEGS: 0x100,
  TSC_LO: 0x200,
  TSC_HI: 0x204,
  SYSENTER_CS: 0x208,
  SYSENTER_ESP: 0x20c,
  SYSENTER_EIP: 0x210,
  /** 1 while the CPU is halted (HLT executed, waiting for an interrupt). */
  HALTED: 0x214,
  /** Instruction after MOV SS / POP SS / STI: interrupts are inhibited for one instruction. */
  INT_SHADOW: 0x218,
  /** External interrupt request from the host's interrupt controller: vector, or -1 for none. */
  IRQ_VECTOR: 0x21c,
  /** Retired instruction count (u64 as two i32). */
  ICOUNT_LO: 0x220,
  ICOUNT_HI: 0x224,
  /** Set by the host to make run() return at the next instruction boundary. */
  STOP: 0x228,
  /** One-shot value slot for IN/INS replays: VALID=1 when IO_VALUE holds the host's answer. */
  IO_VALID: 0x22c,
  IO_VALUE: 0x230,
  /** Guest RAM size in bytes (set by the host at init). */
  RAM_SIZE: 0x234,
  /** APIC base MSR and misc MSRs kept for RDMSR/WRMSR. */
  APIC_BASE: 0x238,
  MISC_ENABLE: 0x23c,
  /** PAT MSR (low, high). */
  PAT_LO: 0x240,
  PAT_HI: 0x244,
  /** Exception nesting tracker used to detect double and triple faults. */
  EXC_DEPTH: 0x248,
  /** Bit n set: CPUID feature flag n of leaf 1 EDX is hidden (host policy). */
  CPUID_EDX_MASK: 0x24c,
  /** A20 gate: 1 = enabled (addresses not wrapped). */
  A20: 0x250,
  /** Firmware ROM size in bytes, mapped just below 4 GiB; its bytes follow guest RAM in linear memory. */
  ROM_SIZE: 0x254,
  /** MMIO replay log: entries the host has answered (COUNT) and consumed by this instruction (POS). */
  MMIO_COUNT: 0x258,
  MMIO_POS: 0x25c,
  /**
   * Xen PV hypervisor range: linear addresses >= HV_START (when non-zero) never use the guest's
   * page tables. HV_WINDOWS holds up to HV_WINDOW_MAX windows of 16 bytes (HVW offsets) mapping
   * parts of the range onto machine memory; anything else in the range raises #PF.
   */
  HV_START: 0x260,
  HV_WINDOWS: 0x270,
  /**
   * PAE PDPTE registers PDPTE0..3 (4 x u64, low dword first): loaded from the PDPT by MOV to CR3 in
   * PAE paging, by MOV to CR0/CR4 that enters or changes PAE paging, and by task switches (SDM vol. 3,
   * 4.4.1); the walker reads these, not memory. The host's refresh() reloads them.
   */
  PDPTE: 0x2b0,
  /**
   * Xen PV writable page tables (ptwr): when non-zero, (machine page address | 1) of the one page a
   * supervisor write may store into through a read-only 4 KiB mapping. The host arms it for the single
   * re-execution of a faulting write to a page-table page and clears it after; such a translation is
   * never cached in the TLB and does not set the dirty bit.
   */
  PTWR_PAGE: 0x2d0,
  /**
   * CPUID faulting (like MSR_MISC_FEATURES_ENABLES bit 0): when bit 0 is set, CPUID at CPL > 0 raises
   * #GP(0). The Xen PV host sets it so ring-1/ring-3 CPUID reaches its filtered policy (spec 5.6).
   */
  CPUID_FAULT: 0x2e0,
  /** JIT controls and counters (docs/jit.md): mode 0 off, 1 on (hotness), 2 force. */
  JIT_MODE: 0x300,
  JIT_THRESHOLD: 0x304,
  /** Address in linear memory of the per-RAM-page list heads (u32 entry index + 1), 0 = no JIT. */
  JIT_PAGES: 0x308,
  /** Bumped when the whole cache is dropped: the host's table slots are free again. */
  JIT_EPOCH: 0x30c,
  JIT_RUNS: 0x310,
  JIT_INVALIDATIONS: 0x314,
  JIT_BAILS: 0x318,
  JIT_FLUSHES: 0x31c,
  /** The table slot compiled code was last entered through (host/jit/tier.ts samples it after each run()). */
  JIT_LAST_SLOT: 0x320,
  /**
   * Xen PV direct trap gate (assembly/cpu/pv-gate.ts; docs/pv-design.md): `int PV_GATE_VECTOR` from
   * ring 3 is delivered by the core straight to the guest kernel's handler PV_GATE_CS:PV_GATE_EIP
   * with Xen's bounce frame on the ring-1 stack of the TSS (SS1:ESP1 = the guest's stack_switch),
   * instead of the #GP the empty IDT gives. FLAGS bit 0: enabled; bit 1: interrupt-type entry
   * (events masked on entry: the byte at guest-physical PV_MASK_ADDR, vcpu_info.evtchn_upcall_mask,
   * is set to 1). PV_GATE_IOPL: the IOPL bits (12-13) of the pushed EFLAGS image. When any check
   * fails the core falls back to the #GP, so the host's path decides exactly as before.
   */
  PV_GATE_FLAGS: 0x400,
  PV_GATE_VECTOR: 0x404,
  PV_GATE_CS: 0x408,
  PV_GATE_EIP: 0x40c,
  PV_GATE_IOPL: 0x410,
  PV_MASK_ADDR: 0x414,
  /**
   * The same for a #PF raised in ring 3 below HYPERVISOR_VIRT_START (trap_table[14]; no DPL check,
   * error code pushed with U set, RF = 1 in the image): FLAGS bit 0 on, bit 1 interrupt-type. The
   * core then also writes the fault address to PV_CR2 (the virtual CR2 MOV from CR2 returns) and to
   * the guest-physical PV_CR2_ADDR (vcpu_info.arch.cr2).
   */
  PV_PF_FLAGS: 0x418,
  PV_PF_CS: 0x41c,
  PV_PF_EIP: 0x420,
  PV_CR2: 0x424,
  PV_CR2_ADDR: 0x428,
} as const;

/** One code-cache entry (bytes from JIT_ENTRIES + index * JIT_ENTRY_SIZE; index 0 is unused). */
export const JE = { PHYS: 0, EIP: 4, KEY: 8, FN: 12, COUNT: 16, LEN: 20, ICOUNT: 22, NEXT_HASH: 24, NEXT_PAGE: 28 } as const;
/** The record jitDecode() fills (bytes from JIT_DECODE). */
export const JD = {
  ROW: 0, LEN: 4, OPCODE: 8, MODRM: 12, SIB: 16, DISP: 20, IMM: 24, IMM2: 28, OS32: 32, AS32: 36,
  SEG: 40, REP: 44, LOCK: 48, HAS_MODRM: 52,
} as const;

export const HV_WINDOW_MAX = 4;
/** One hypervisor window: linear start, size, machine (guest-physical) address, HVW_* flags. */
export const HVW = { LIN: 0, SIZE: 4, MACH: 8, FLAGS: 12 } as const;
/** Explicit reads at CPL 0-2 allowed (the read-only M2P); implicit descriptor-table accesses allowed. */
export const HVW_READ = 1, HVW_SYSTEM = 2;

/** Segment register indices in the segment cache (encoding order, then LDTR and TR). */
export const SEG_ES = 0, SEG_CS = 1, SEG_SS = 2, SEG_DS = 3, SEG_FS = 4, SEG_GS = 5, SEG_LDTR = 6, SEG_TR = 7;
export const SEG_SIZE = 32;
/**
 * One cached segment register.
 *
 *   +0  selector      +4  base       +8  limit (byte granular, after G scaling)
 *   +12 access rights (descriptor bits 8..23 of the high dword: type, S, DPL, P, AVL, L, D/B, G)
 *   +16 check_lo      +20 check_hi   offsets o with check_lo <= o and o+size-1 <= check_hi are in range
 *   +24 valid bits:   bit0 readable, bit1 writable, bit2 usable (not null)
 */
export const SEG = { SEL: 0, BASE: 4, LIMIT: 8, ACCESS: 12, CHECK_LO: 16, CHECK_HI: 20, VALID: 24 } as const;

/** Exit mailbox offsets (bytes from EXIT). */
export const X = {
  REASON: 0x00,
  VECTOR: 0x04,
  ERROR_CODE: 0x08,
  /** Faulting linear address for #PF (also in CR2). */
  FAULT_ADDR: 0x0c,
  PORT: 0x10,
  /** Access size in bytes (1, 2, 4). */
  SIZE: 0x14,
  /** 1 = OUT (VALUE holds the data, already performed), 0 = IN (run again after setting IO_VALUE). */
  IS_OUT: 0x18,
  VALUE: 0x1c,
  /** Instructions executed by the run() call that ended with this exit. */
  EXECUTED: 0x20,
  /** EIP of the instruction that caused the exit. */
  EIP: 0x24,
  /** Physical address of an MMIO access (IS_OUT = 1 for a write, VALUE holds the data). */
  ADDR: 0x28,
  /** EXIT_JIT: the block to compile (physical address, EIP, state key, cache entry index). */
  JIT_PHYS: 0x2c,
  JIT_EIP: 0x30,
  JIT_KEY: 0x34,
  JIT_ENTRY: 0x38,
} as const;

/** Why run() returned. Values are shared with assembly/cpu/exits.ts via the generated layout. */
export const ExitReason = {
  NONE: 0,
  /** The instruction budget ran out. */
  BUDGET: 1,
  /** HLT executed; the CPU waits for an interrupt (HALTED=1). */
  HLT: 2,
  /** Port I/O: OUT already performed, or IN to be replayed with IO_VALUE. */
  IO: 3,
  /** INT n with a vector the host claims (INTERCEPT bitmap); EIP is after the instruction. */
  SOFTINT: 4,
  /** An exception the host asked to see; state is as before the faulting instruction. */
  FAULT: 5,
  /** Triple fault: the machine shuts down (a PC resets). */
  SHUTDOWN: 6,
  /** The host set STOP. */
  STOPPED: 7,
  /** An access to MMIO (outside RAM and ROM): the host performs it and appends to the replay log. */
  MMIO: 8,
  /** A block is hot (or, in forced mode, new): the host compiles it and runs again (host/core/cpu.ts does it). */
  JIT: 9,
} as const;

/** Intercept bitmap offsets (bytes from INTERCEPT). */
export const I = {
  /** 256 bits: INT n vectors that exit with SOFTINT instead of being delivered. */
  SOFTINT: 0x00,
  /** 32 bits: exception vectors that exit with FAULT instead of being delivered. */
  EXCEPTIONS: 0x20,
} as const;

/**
 * x87 FPU state (bytes from FPU; docs/fpu.md). Registers are indexed by PHYSICAL number
 * (ST(i) is physical (TOP + i) & 7). Each register is an f64 (ST) plus an optional exact 80-bit
 * shadow (X80: 8-byte significand with explicit integer bit, then 16-bit sign|exponent, 16 bytes
 * per register) that is valid while bit i of XVALID is set: it holds values the f64 cannot
 * represent exactly (more than 53 significand bits, exponent range, NaN payload, unsupported
 * encodings). SW is kept without TOP (bits 11-13), which lives in TOP. VALID is the abridged tag
 * word (bit i = physical register i is not empty); the full tag word is computed on demand.
 */
export const F = {
  ST: 0x00, // 8 x f64
  X80: 0x40, // 8 x 16 bytes
  XVALID: 0xc0,
  VALID: 0xc4,
  TOP: 0xc8,
  CW: 0xcc,
  SW: 0xd0,
  FIP: 0xd4,
  FCS: 0xd8,
  FOP: 0xdc,
  FDP: 0xe0,
  FDS: 0xe4,
  /** 1 after an unmasked exception became pending with CR0.NE=0 (the FERR# line; IRQ 13 on a PC). */
  FERR: 0xe8,
} as const;

export const LAYOUT = { STATE, EXIT, INTERCEPT, FPU, MMIO_LOG, MMIO_LOG_MAX, JIT_DECODE, JIT_BUCKETS, JIT_BUCKET_COUNT, JIT_ENTRIES, JIT_ENTRY_SIZE, JIT_ENTRY_MAX, JE, JD, HV_WINDOW_MAX, HVW, HVW_READ, HVW_SYSTEM, TLB, TLB_LIST, AS_BASE, RAM_BASE, S, X, SEG, ExitReason, I, F };

/** A checksum over every constant, so a core built from an older layout is refused. */
export function layoutChecksum(): number {
  let h = 0x811c9dc5;
  const feed = (v: number) => {
    for (let i = 0; i < 4; i++) h = Math.imul(h ^ ((v >>> (i * 8)) & 0xff), 0x01000193) >>> 0;
  };
  const walk = (o: unknown) => {
    if (typeof o === "number") feed(o);
    else if (o && typeof o === "object") for (const k of Object.keys(o).sort()) walk((o as Record<string, unknown>)[k]);
  };
  walk(LAYOUT);
  return h >>> 0;
}

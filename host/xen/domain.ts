/**
 * A Xen PV domain as ringone models it (docs/pv-design.md):
 *
 * - Machine memory is the core's RAM: the guest's nr_pages frames first (identity P2M: MFN == PFN),
 *   then frames the hypervisor owns, handed out by a small FrameAllocator (shared_info, the M2P
 *   backing, the machine GDT + TSS, the shadow LDT, and spare frames for grant tables and the like).
 * - The M2P lives in hypervisor frames and is visible read-only to the guest kernel through an
 *   HVW_READ window at MACH2PHYS_VIRT_START; the machine GDT and TSS through an HVW_SYSTEM window.
 * - One vCPU (Vcpu) with the PV state Xen keeps per vCPU: the virtual trap table, kernel_ss/sp,
 *   callbacks, virtual CR0.TS/CR2/CR4, IOPL, debug registers, and the event-mask view into
 *   shared_info's vcpu_info.
 *
 * The domain builder (domain-builder.ts) creates a Domain and fills it; the hypercall families
 * (hypercalls/*.ts) and the run loop (pv-machine.ts) work on it.
 */
import type { Cpu } from "../core/cpu.ts";
import * as L from "../isa/layout.ts";
import * as arch from "./abi/arch-x86.ts";
import * as X from "./abi/xen.ts";
import { off } from "./abi/struct.ts";
import { SHUTDOWN_crash } from "./abi/sched.ts";

export const PAGE = 4096;
export const INVALID_M2P_ENTRY = 0xffffffff;
/** Xen's domain id for the (only) guest: an ordinary domU. */
export const GUEST_DOMID = 1;

/**
 * Where ringone places its own structures in the hypervisor range (our choice: the addresses are
 * guest-visible only through SGDT/STR; Xen uses its per-domain area). Above compat Xen's M2P
 * (which ends at 0xFFE00000) so no M2P size can collide; valid for PAE and 2-level alike.
 */
export const HV_LAYOUT = {
  /** Machine GDT (16 frames), immediately followed by the TSS frame: one HVW_SYSTEM window. */
  gdtVirt: 0xffe00000,
  /** Shadow LDT (16 frames, 8192 entries): an HVW_SYSTEM window set up by MMUEXT_SET_LDT. */
  ldtVirt: 0xffe20000,
} as const;
export const GDT_FRAMES = 16;
export const LDT_FRAMES = 16;
/** Hypervisor window slots (S.HV_WINDOWS). */
export const HVW_SLOT = { m2p: 0, gdt: 1, ldt: 2, spare: 3 } as const;
/** Our reserved GDT entries beyond the ones the ABI fixes (FIRST_RESERVED_GDT_ENTRY + 3..6). */
export const GDT_ENTRY = {
  xenCs: arch.FIRST_RESERVED_GDT_ENTRY + 1,
  xenDs: arch.FIRST_RESERVED_GDT_ENTRY + 2,
  ring1Cs: arch.FIRST_RESERVED_GDT_ENTRY + 3,
  ring1Ds: arch.FIRST_RESERVED_GDT_ENTRY + 4,
  ring3Cs: arch.FIRST_RESERVED_GDT_ENTRY + 5,
  ring3Ds: arch.FIRST_RESERVED_GDT_ENTRY + 6,
  tss: arch.FIRST_RESERVED_GDT_ENTRY + 7,
  ldt: arch.FIRST_RESERVED_GDT_ENTRY + 8,
} as const;
export const TSS_SELECTOR = GDT_ENTRY.tss << 3;
export const LDT_SELECTOR = GDT_ENTRY.ldt << 3;
/** 32-bit TSS field offsets (SDM vol. 3, 7.2.1). */
export const TSS = { ESP0: 0x04, SS0: 0x08, ESP1: 0x0c, SS1: 0x10, IOMAP: 0x66, SIZE: 0x68 } as const;

/** Spare hypervisor frames kept for later users (grant tables, vcpu_info moves, ...). */
export const SPARE_HV_FRAMES = 64;

export class FrameAllocator {
  private next: number;
  constructor(readonly first: number, readonly end: number) { this.next = first; }
  /** Allocate `n` contiguous frames; throws when the hypervisor pool is exhausted (a host sizing bug). */
  alloc(n: number, what: string): number {
    if (this.next + n > this.end) throw new Error(`hypervisor frame pool exhausted allocating ${n} frame(s) for ${what}`);
    const mfn = this.next;
    this.next += n;
    return mfn;
  }
  get used(): number { return this.next - this.first; }
  get free(): number { return this.end - this.next; }
}

const VI_UPCALL_MASK = off(X.vcpu_info, "evtchn_upcall_mask");
const VI_UPCALL_PENDING = off(X.vcpu_info, "evtchn_upcall_pending");

export interface TrapEntry { flags: number; cs: number; address: number }
export interface Callback { cs: number; eip: number }

/** Per-vCPU PV state (vCPU 0 only for now). */
export class Vcpu {
  /** Virtual IDT (set_trap_table): 256 entries; cs & ~3 == 0 means "no handler". */
  readonly trapTable: TrapEntry[] = Array.from({ length: 256 }, () => ({ flags: 0, cs: 0, address: 0 }));
  kernelSs = 0;
  kernelSp = 0;
  eventCallback: Callback = { cs: 0, eip: 0 };
  failsafeCallback: Callback = { cs: 0, eip: 0 };
  /** CALLBACKF_mask_events for the failsafe callback. */
  failsafeMasksEvents = false;
  nmiCallback = 0;
  /** The CR0 the guest sees (TS is the virtual TS). */
  virtualCr0 = 0x80050033;
  virtualCr4 = 0;
  /**
   * Virtual CR2 (also written to vcpu_info.arch.cr2 when a #PF is delivered). Kept in the core's
   * S.PV_CR2, which the core updates itself when it bounces a ring-3 #PF (assembly/cpu/pv-gate.ts).
   */
  get cr2(): number { return this.dom.cpu.stateU32(L.S.PV_CR2); }
  set cr2(v: number) { this.dom.cpu.setState32(L.S.PV_CR2, v); }
  /** Virtual IOPL (PHYSDEVOP_set_iopl), 0..3. */
  iopl = 0;
  /** MSR_MISC_FEATURES_ENABLES.CPUID_FAULTING as the guest set it: user-mode CPUID gets #GP(0). */
  cpuidFaulting = false;
  /** PHYSDEVOP_set_iobitmap: guest-virtual bitmap and port count. */
  iobitmap = { ptr: 0, nrPorts: 0 };
  /** Debug registers as the guest set them (DR4/DR5 are aliases and not stored). */
  readonly debugRegs: number[] = [0, 0, 0, 0, 0, 0, 0xffff0ff0, 0x00000400];

  constructor(readonly id: number, private readonly dom: Domain) {}

  get virtualTs(): boolean { return (this.virtualCr0 & 8) !== 0; }

  /** vcpu_info of this vCPU inside shared_info (machine address). */
  get vcpuInfoMa(): number { return this.dom.sharedInfoMa + this.id * X.vcpu_info.size; }
  get upcallMask(): number { return this.dom.mem[this.vcpuInfoMa + VI_UPCALL_MASK]; }
  set upcallMask(v: number) { this.dom.mem[this.vcpuInfoMa + VI_UPCALL_MASK] = v & 0xff; }
  get upcallPending(): number { return this.dom.mem[this.vcpuInfoMa + VI_UPCALL_PENDING]; }
  set upcallPending(v: number) { this.dom.mem[this.vcpuInfoMa + VI_UPCALL_PENDING] = v & 0xff; }
}

/** Why a domain stopped (SCHEDOP_shutdown reasons, or the hypervisor crashing it). */
export interface ShutdownState { reason: number; detail: string; byHypervisor: boolean }

export interface DomainOptions {
  nrPages: number;
  pae: boolean;
  /** Debug-build behaviours of Xen: poison multicall entries and clobber argument registers. */
  xenDebug?: boolean;
  /**
   * Deliver ring-3 `int 0x80` and #PF in the core through the guest's trap table (Xen's direct trap,
   * traps.ts syncDirectGate); default true. False sends them through the host's fault path.
   */
  directGate?: boolean;
  /** Guest console output sink (bytes): the domain's console (its PV console ring). */
  onOutput?: (bytes: Uint8Array) => void;
  /**
   * The hypervisor's log, where Xen puts a domU's CONSOLEIO_write text ("(d1) " lines, `xl dmesg`).
   * Without it, console_io text goes to onOutput as well (one stream, in order).
   */
  onLog?: (bytes: Uint8Array) => void;
  /** Cap on total console bytes a guest may emit (default 16 MiB). */
  consoleLimit?: number;
}

export class Domain {
  readonly cpu: Cpu;
  readonly nrPages: number;
  /** Total machine frames (guest RAM + hypervisor frames). */
  readonly machineFrames: number;
  readonly pae: boolean;
  readonly hvStart: number;
  readonly m2pVirtStart: number;
  readonly frames: FrameAllocator;
  readonly domid = GUEST_DOMID;
  readonly handle = new Uint8Array(16);
  readonly mem: Uint8Array;
  readonly dv: DataView;
  readonly xenDebug: boolean;
  readonly directGate: boolean;

  readonly sharedInfoMfn: number;
  readonly m2pMfn: number;
  readonly m2pFrames: number;
  readonly gdtMfn: number;
  readonly tssMfn: number;
  readonly ldtMfn: number;

  readonly vcpus: Vcpu[];
  /** VMASST_TYPE_* bits (per domain). */
  vmAssist = 0;
  /** SCHEDOP_shutdown_code: the reason to report at a later shutdown. */
  shutdownCode: number | undefined;
  shutdown: ShutdownState | undefined;
  /** Set when the vCPU blocked with nothing that could wake it (the run stops with this diagnostic). */
  blocked: string | undefined;
  /** SCHEDOP_watchdog timers: timeout in seconds per slot, undefined = free. */
  readonly watchdogs: (number | undefined)[] = [undefined, undefined];
  /** The e820 map XENMEM_memory_map returns (libxl style: one RAM entry), or undefined for -ENOSYS. */
  memoryMap: { addr: number; size: number; type: number }[] | undefined;
  /** XENFEAT bits of submap 0 this hypervisor implements (others add theirs as they implement them). */
  xenFeatures: number;

  /** Console: pending input for CONSOLEIO_read, output sink and its limit. */
  readonly consoleInput: number[] = [];
  private readonly onOutput: (bytes: Uint8Array) => void;
  private readonly onLog: (bytes: Uint8Array) => void;
  private consoleBytes = 0;
  private readonly consoleLimit: number;
  private readonly outChunks: Uint8Array[] = [];

  constructor(cpu: Cpu, opts: DomainOptions) {
    this.cpu = cpu;
    this.nrPages = opts.nrPages;
    this.pae = opts.pae;
    this.xenDebug = opts.xenDebug ?? false;
    this.directGate = opts.directGate ?? true;
    const b = opts.pae ? arch.X86_32_BOUNDS.pae : arch.X86_32_BOUNDS.nonpae;
    this.hvStart = b.hypervisorVirtStart;
    this.m2pVirtStart = b.m2pStart;
    this.machineFrames = cpu.ramSize / PAGE;
    if (this.machineFrames <= this.nrPages) throw new Error("machine memory has no room for hypervisor frames");
    this.mem = cpu.ram;
    this.dv = new DataView(this.mem.buffer, this.mem.byteOffset, this.mem.byteLength);
    this.frames = new FrameAllocator(this.nrPages, this.machineFrames);
    this.onOutput = opts.onOutput ?? ((b) => { this.outChunks.push(b.slice()); });
    this.onLog = opts.onLog ?? this.onOutput;
    this.consoleLimit = opts.consoleLimit ?? 16 << 20;

    this.sharedInfoMfn = this.frames.alloc(1, "shared_info");
    this.m2pFrames = Domain.m2pFramesFor(this.machineFrames);
    this.m2pMfn = this.frames.alloc(this.m2pFrames, "M2P");
    this.gdtMfn = this.frames.alloc(GDT_FRAMES + 1, "machine GDT and TSS");
    this.tssMfn = this.gdtMfn + GDT_FRAMES;
    this.ldtMfn = this.frames.alloc(LDT_FRAMES, "shadow LDT");
    this.memoryMap = [{ addr: 0, size: this.nrPages * PAGE, type: 1 }];
    this.xenFeatures = 1 << 17; // XENFEAT_direct_mapped (+ pae_pgdir_above_4gb via vm_assist, see xen_version)
    this.vcpus = [new Vcpu(0, this)];
    // M2P: identity for guest RAM, invalid for every hypervisor frame and the window's tail.
    this.mem.fill(0xff, this.m2pMfn * PAGE, (this.m2pMfn + this.m2pFrames) * PAGE);
    for (let mfn = 0; mfn < this.machineFrames; mfn++) this.setM2p(mfn, mfn < this.nrPages ? mfn : INVALID_M2P_ENTRY);
  }

  /** Hypervisor frames a machine of `machineFrames` frames needs for its M2P. */
  static m2pFramesFor(machineFrames: number): number { return Math.ceil((machineFrames * 4) / PAGE); }
  /** Hypervisor frames a domain needs besides the M2P (shared_info, GDT+TSS, LDT, spares). */
  static fixedHvFrames(): number { return 1 + GDT_FRAMES + 1 + LDT_FRAMES + SPARE_HV_FRAMES; }

  get vcpu(): Vcpu { return this.vcpus[0]; }
  get sharedInfoMa(): number { return this.sharedInfoMfn * PAGE; }
  get gdtMa(): number { return this.gdtMfn * PAGE; }
  get tssMa(): number { return this.tssMfn * PAGE; }
  /** Bytes of the M2P the guest can see (the HVW_READ window). */
  get m2pWindowBytes(): number { return this.m2pFrames * PAGE; }
  /** Highest MFN the M2P window covers (XENMEM_machphys_mapping.max_mfn). */
  get m2pMaxMfn(): number { return this.m2pWindowBytes / 4 - 1; }

  /** P2M: identity for guest RAM (guests must not rely on it). */
  p2m(pfn: number): number { return pfn; }
  m2p(mfn: number): number { return this.dv.getUint32(this.m2pMfn * PAGE + mfn * 4, true); }
  setM2p(mfn: number, pfn: number): void { this.dv.setUint32(this.m2pMfn * PAGE + mfn * 4, pfn >>> 0, true); }
  /** True for MFNs of the guest's own RAM. */
  isGuestFrame(mfn: number): boolean { return mfn >= 0 && mfn < this.nrPages; }

  read32(ma: number): number { return this.dv.getUint32(ma, true); }
  /** A hypervisor write into guest RAM: compiled code over those bytes is dropped (docs/jit.md). */
  write32(ma: number, v: number): void { this.dv.setUint32(ma, v >>> 0, true); this.cpu.invalidateCode(ma, 4); }
  /** After the hypervisor or a backend wrote [ma, ma+len) of guest RAM directly (copies, DMA-like reads). */
  wroteRam(ma: number, len: number): void { this.cpu.invalidateCode(ma, len); }

  /** Machine GDT entry `i` (low, high dwords). */
  setGdtEntry(i: number, lo: number, hi: number): void {
    this.write32(this.gdtMa + i * 8, lo);
    this.write32(this.gdtMa + i * 8 + 4, hi);
  }
  gdtEntry(i: number): [number, number] { return [this.read32(this.gdtMa + i * 8), this.read32(this.gdtMa + i * 8 + 4)]; }

  /** Keep the TSS ring-1 stack (used by the CPU for ring 3 -> 1 transitions) in sync with kernel_ss:sp. */
  syncTssStack(): void {
    const v = this.vcpu;
    this.dv.setUint16(this.tssMa + TSS.SS1, v.kernelSs & 0xffff, true);
    this.write32(this.tssMa + TSS.ESP1, v.kernelSp);
  }

  /** Program hypervisor window `slot` (S.HV_WINDOWS). */
  setWindow(slot: number, lin: number, size: number, mach: number, flags: number): void {
    const base = L.S.HV_WINDOWS + slot * 16;
    this.cpu.setState32(base + L.HVW.LIN, lin);
    this.cpu.setState32(base + L.HVW.SIZE, size);
    this.cpu.setState32(base + L.HVW.MACH, mach);
    this.cpu.setState32(base + L.HVW.FLAGS, flags);
  }

  // ---- console ----------------------------------------------------------------------------------

  /**
   * Guest console output. CONSOLEIO_write text goes to the hypervisor log (onLog) and, like Xen for
   * a domU, keeps printable characters, tab and newline; `raw` bytes are the guest's own PV console
   * ring (xenconsoled passes them through to the terminal) and go to onOutput. Forwarding stops once
   * the per-domain limit is reached (one notice).
   */
  consoleWrite(bytes: Uint8Array, raw = false): void {
    const out: number[] = [];
    // raw: the guest's own PV console ring (xenconsoled passes its bytes through to the terminal).
    for (const b of bytes) if (raw || (b >= 0x20 && b < 0x7f) || b === 0x0a || b === 0x09) out.push(b);
    if (out.length === 0) return;
    if (this.consoleBytes >= this.consoleLimit) return;
    const room = this.consoleLimit - this.consoleBytes;
    const chunk = Uint8Array.from(out.slice(0, room));
    this.consoleBytes += chunk.length;
    const sink = raw ? this.onOutput : this.onLog;
    sink(chunk);
    if (this.consoleBytes >= this.consoleLimit) sink(new TextEncoder().encode("\n[ringone: guest console output limit reached; further output dropped]\n"));
  }
  /** Console output collected so far (when no onOutput sink was given). */
  get output(): string { return Buffer.concat(this.outChunks).toString("latin1"); }
  pushConsoleInput(data: Uint8Array | string): void {
    const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
    for (const b of bytes) this.consoleInput.push(b);
  }

  // ---- shutdown -----------------------------------------------------------------------------------

  /** SCHEDOP_shutdown: the domain stops with `reason` (the run loop ends after this exit). */
  requestShutdown(reason: number, detail = ""): void {
    if (!this.shutdown) this.shutdown = { reason, detail, byHypervisor: false };
  }
  /** domain_crash(): the hypervisor stops the guest with a diagnostic (reason crash). */
  crash(detail: string): void {
    if (!this.shutdown) this.shutdown = { reason: SHUTDOWN_crash, detail, byHypervisor: true };
  }
}

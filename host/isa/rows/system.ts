/** Rows: system instructions (ops/system.ts, ops/msr.ts). */
import type { Row } from "../table-types.ts";

const SYS = { oracle: "system" as const };
const CPL0 = { priv: "cpl0" as const, oracle: "system" as const };

export const SYSTEM_ROWS: Row[] = [
  { id: "CLI", op: 0xfa, handler: "cli", flags: { w: "I" }, priv: "iopl", ...SYS },
  { id: "STI", op: 0xfb, handler: "sti", flags: { w: "I" }, priv: "iopl", block: true, ...SYS, note: "interrupt shadow only when IF was 0" },
  // 0F 00 group: #UD in real and v86 mode.
  { id: "SLDT_Ew", op: 0x100, reg: 0, handler: "sldt", width: "v", ...SYS },
  { id: "STR_Ew", op: 0x100, reg: 1, handler: "str_", width: "v", ...SYS },
  { id: "LLDT_Ew", op: 0x100, reg: 2, handler: "lldt", width: 16, ...CPL0 },
  { id: "LTR_Ew", op: 0x100, reg: 3, handler: "ltr", width: 16, ...CPL0 },
  { id: "VERR_Ew", op: 0x100, reg: 4, handler: "verr", width: 16, flags: { w: "Z" }, ...SYS },
  { id: "VERW_Ew", op: 0x100, reg: 5, handler: "verw", width: 16, flags: { w: "Z" }, ...SYS },
  // 0F 01 group.
  { id: "SGDT_Ms", op: 0x101, reg: 0, mod: "mem", handler: "sgdt", width: "v", ...SYS, note: "stores the full 32-bit base at either operand size" },
  { id: "SIDT_Ms", op: 0x101, reg: 1, mod: "mem", handler: "sidt", width: "v", ...SYS },
  { id: "LGDT_Ms", op: 0x101, reg: 2, mod: "mem", handler: "lgdt", width: "v", block: true, ...CPL0, note: "16-bit operand size loads a 24-bit base" },
  { id: "LIDT_Ms", op: 0x101, reg: 3, mod: "mem", handler: "lidt", width: "v", block: true, ...CPL0 },
  { id: "SMSW_Ew", op: 0x101, reg: 4, handler: "smsw", width: "v", ...SYS, note: "a 32-bit register destination gets all of CR0" },
  { id: "LMSW_Ew", op: 0x101, reg: 6, handler: "lmsw", width: 16, block: true, ...CPL0 },
  { id: "INVLPG_M", op: 0x101, reg: 7, mod: "mem", handler: "invlpg", block: true, ...CPL0 },
  { id: "LAR_GvEw", op: 0x102, modrm: true, handler: "lar", width: "v", flags: { w: "Z" }, ...SYS },
  { id: "LSL_GvEw", op: 0x103, modrm: true, handler: "lsl", width: "v", flags: { w: "Z" }, ...SYS },
  { id: "ARPL_EwGw", op: 0x63, modrm: true, handler: "arpl", width: 16, flags: { w: "Z" }, oracle: "qemu", note: "63 is MOVSXD in 64-bit mode" },
  { id: "CLTS", op: 0x106, handler: "clts", ...CPL0 },
  { id: "INVD", op: 0x108, handler: "invd", ...CPL0 },
  { id: "WBINVD", op: 0x109, handler: "invd", ...CPL0 },
  { id: "UD2", op: 0x10b, handler: "ud2", ...SYS },
  {
    id: "MOV_RdCd", op: 0x120, modrm: true, mod: "reg", handler: "mov_RdCd", width: 32, ...CPL0,
    note: "CR1/CR5-7 #UD; memory encodings (mod != 3) are #UD here, real CPUs treat them as registers",
  },
  { id: "MOV_RdDd", op: 0x121, modrm: true, mod: "reg", handler: "mov_RdDd", width: 32, ...CPL0, note: "DR4/DR5 alias DR6/DR7 unless CR4.DE" },
  { id: "MOV_CdRd", op: 0x122, modrm: true, mod: "reg", handler: "mov_CdRd", width: 32, block: true, ...CPL0 },
  { id: "MOV_DdRd", op: 0x123, modrm: true, mod: "reg", handler: "mov_DdRd", width: 32, block: true, ...CPL0, note: "arms or disarms breakpoints: compiled code stops here" },
  { id: "WRMSR", op: 0x130, handler: "wrmsr", block: true, ...CPL0 },
  { id: "RDTSC", op: 0x131, handler: "rdtsc", ...SYS, note: "instruction count + offset; #GP at CPL > 0 with CR4.TSD" },
  { id: "RDMSR", op: 0x132, handler: "rdmsr", ...CPL0 },
  { id: "SYSENTER", op: 0x134, handler: "sysenter", block: true, flags: { w: "I" }, ...SYS },
  { id: "SYSEXIT", op: 0x135, handler: "sysexit", block: true, ...CPL0 },
  { id: "CPUID", op: 0x1a2, handler: "cpuid", ...SYS },
];

/**
 * The shape of one row of the instruction table (host/isa/x86-table.ts). One row describes one
 * instruction form; the decoder/dispatcher generator, the differential-test generator and the JIT
 * all read these rows.
 */

/**
 * Immediate kinds, fetched after ModRM/SIB/displacement, in table order:
 *  Ib imm8 (zero-extended)   Ibs imm8 sign-extended   Iw imm16   Iz imm16/32 by operand size
 *  Izs imm16 sign-extended or imm32   IwIb ENTER's imm16,imm8   Ap far pointer (offset16/32, sel16)
 *  Jb rel8   Jz rel16/32   O moffs (address-size offset, no ModRM)
 */
export type Imm = "Ib" | "Ibs" | "Iw" | "Iz" | "Izs" | "IwIb" | "Ap" | "Jb" | "Jz" | "O";

/** Which oracle checks this row in the differential tests. */
export type Oracle = "native" | "qemu" | "system" | "none";

export interface Row {
  /** Unique form name in SDM operand notation, e.g. ADD_EvGv. */
  id: string;
  /** Opcode: 0x00..0xFF, or 0x100 | byte for the 0F map. */
  op: number;
  /** ModRM.reg digit for group opcodes (implies modrm). */
  reg?: number;
  /** ModRM.rm for register forms that select by rm (x87 D9 E0 ...; implies mod "reg"). */
  rm?: number;
  /** The row has a ModRM byte. */
  modrm?: boolean;
  /** Restrict to memory or register forms (the other gets #UD unless another row covers it). */
  mod?: "mem" | "reg";
  imm?: Imm;
  /** AssemblyScript handler exported from assembly/cpu/ops; defaults to id. */
  handler?: string;
  /** Flags read, written, and left undefined, as letters from "CPAZSOD" (plus I T N for IF TF NT). */
  flags?: { r?: string; w?: string; u?: string };
  /** Ends a basic block: EIP changes non-sequentially, or mode/CPL/paging/interrupt state may change. */
  block?: boolean;
  /** LOCK is legal with a memory destination. */
  lock?: boolean;
  /** Privileged (CPL 0 only) or IOPL-sensitive; informative for tests and the PV emulator. */
  priv?: "cpl0" | "iopl";
  /** Which oracle the generated tests use (default: "native"). */
  oracle?: Oracle;
  /** Operand width for tests: 8, 16 (only with 0x66), 32, or "v" (both 16 and 32). */
  width?: 8 | 16 | 32 | "v";
  /** Why this row is the way it is, when surprising. */
  note?: string;
}

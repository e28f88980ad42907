/**
 * THE instruction table: every decodable form of the i686 integer and x87 instruction set, one row
 * each (table-types.ts documents the columns). Rows live in rows/<family>.ts; this file only joins
 * them. Consumers: generate.ts (decoder and dispatcher for the core), the differential tests
 * (tests/isa), and the JIT.
 */
import type { Row } from "./table-types.ts";
import { ALU_ROWS } from "./rows/alu.ts";
import { BASIC_ROWS } from "./rows/basic.ts";
import { FPU_ROWS } from "./rows/fpu.ts";

export const TABLE: Row[] = [
  ...ALU_ROWS,
  ...BASIC_ROWS,
  ...FPU_ROWS,
];

/**
 * THE instruction table: every decodable form of the i686 integer and x87 instruction set, one row
 * each (table-types.ts documents the columns). Rows live in rows/<family>.ts; this file only joins
 * them. Consumers: generate.ts (decoder and dispatcher for the core), the differential tests
 * (tests/isa), and the JIT.
 */
import type { Row } from "./table-types.ts";
import { ALU_ROWS } from "./rows/alu.ts";
import { BASIC_ROWS } from "./rows/basic.ts";
import { ARITH_ROWS } from "./rows/arith.ts";
import { STACK_ROWS } from "./rows/stack.ts";
import { STRING_ROWS } from "./rows/string.ts";
import { CONTROL_ROWS } from "./rows/control.ts";
import { DATAMOVE_ROWS } from "./rows/datamove.ts";
import { SEGMENT_ROWS, FAR_ROWS } from "./rows/segments.ts";
import { INTERRUPT_ROWS } from "./rows/interrupts.ts";
import { IO_ROWS } from "./rows/io.ts";
import { SYSTEM_ROWS } from "./rows/system.ts";
import { FPU_ROWS } from "./rows/fpu.ts";

export const TABLE: Row[] = [
  ...ALU_ROWS,
  ...BASIC_ROWS,
  ...ARITH_ROWS,
  ...STACK_ROWS,
  ...STRING_ROWS,
  ...CONTROL_ROWS,
  ...DATAMOVE_ROWS,
  ...SEGMENT_ROWS, ...FAR_ROWS, ...INTERRUPT_ROWS, ...IO_ROWS, ...SYSTEM_ROWS,
  ...FPU_ROWS,
];

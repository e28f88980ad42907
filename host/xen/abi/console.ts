/**
 * Mirror of xen/io/console.h: the PV console ring page. The 4.17 header has no `connection`
 * field (added by Xen 4.20 at offset 0xC10); bytes past out_prod are unused here.
 */
import { struct } from "./struct.ts";

/** sizeof(in) and sizeof(out): not header names, so the test checks them as those sizeof expressions. */
export const XENCONS_IN_SIZE = 1024;
export const XENCONS_OUT_SIZE = 2048;
export const C_EXPR: Readonly<Record<string, string>> = {
  XENCONS_IN_SIZE: "sizeof(((struct xencons_interface *)0)->in)",
  XENCONS_OUT_SIZE: "sizeof(((struct xencons_interface *)0)->out)",
};

export const xencons_interface = struct("struct xencons_interface", 3088, {
  in: [0x000, 1024, 1024],
  out: [0x400, 2048, 2048],
  in_cons: [0xc00, 4],
  in_prod: [0xc04, 4],
  out_cons: [0xc08, 4],
  out_prod: [0xc0c, 4],
});

/** MASK_XENCONS_IDX(idx, ring): the byte offset of free-running index `idx` in a ring of `size` bytes. */
export function MASK_XENCONS_IDX(idx: number, size: number): number { return idx & (size - 1); }

/**
 * A small declarative description of C struct layouts for the x86_32 Xen PV ABI.
 *
 * Every layout names the C type it mirrors (`c`, e.g. "struct start_info") and lists its fields by
 * their C member designator ("console.domU.mfn", "arch.cr2", "vcpu_info"), so the same string works
 * in `offsetof()` and in grep. A field is [offset, size] in bytes, or [offset, size, count] for an
 * array member (size is the whole array, count the number of elements). tests/xen/abi-layout.test.ts
 * compiles the real headers with `gcc -m32` and checks every field and every size listed here.
 *
 * `since` marks what only exists from a given __XEN_INTERFACE_VERSION__ on (the header hides it
 * below that version), so the legacy-interface build of the test knows not to look for it.
 */

export type FieldSpec = readonly [offset: number, size: number] | readonly [offset: number, size: number, count: number];

export interface Field {
  readonly offset: number;
  readonly size: number;
  /** Number of elements when the member is an array. */
  readonly count?: number;
  /** First interface version in which the member exists under this name. */
  readonly since?: number;
}

export interface StructLayout {
  /** The C type, exactly as written in the header ("struct vcpu_info", "xen_extraversion_t"). */
  readonly c: string;
  /** sizeof the type on i386. */
  readonly size: number;
  readonly fields: Readonly<Record<string, Field>>;
  /** First interface version in which the type exists under this name. */
  readonly since?: number;
}

export interface StructOptions {
  since?: number;
  /** Per-field `since` (member name -> interface version). */
  fieldSince?: Record<string, number>;
}

export function struct(c: string, size: number, fields: Record<string, FieldSpec>, opts: StructOptions = {}): StructLayout {
  const out: Record<string, Field> = {};
  for (const [name, spec] of Object.entries(fields)) {
    const [offset, fsize, count] = spec;
    if (offset + fsize > size) throw new Error(`${c}.${name}: [${offset}, +${fsize}) lies outside the ${size}-byte struct`);
    if (count !== undefined && fsize % count !== 0) throw new Error(`${c}.${name}: size ${fsize} is not a multiple of count ${count}`);
    const f: Field = { offset, size: fsize, ...(count !== undefined ? { count } : {}), ...(opts.fieldSince?.[name] !== undefined ? { since: opts.fieldSince[name] } : {}) };
    out[name] = Object.freeze(f);
  }
  return Object.freeze({ c, size, fields: Object.freeze(out), ...(opts.since !== undefined ? { since: opts.since } : {}) });
}

export function isStructLayout(v: unknown): v is StructLayout {
  return typeof v === "object" && v !== null && typeof (v as StructLayout).c === "string" &&
    typeof (v as StructLayout).size === "number" && typeof (v as StructLayout).fields === "object";
}

/** Offset of a field, throwing (not returning undefined) for a misspelt name. */
export function off(s: StructLayout, field: string): number {
  const f = s.fields[field];
  if (!f) throw new Error(`${s.c} has no field "${field}" in the ringone mirror`);
  return f.offset;
}

/** Offset of element `i` of an array field. */
export function elem(s: StructLayout, field: string, i: number): number {
  const f = s.fields[field];
  if (!f || f.count === undefined) throw new Error(`${s.c}.${field} is not an array field`);
  if (i < 0 || i >= f.count) throw new Error(`${s.c}.${field}[${i}] is out of range (count ${f.count})`);
  return f.offset + i * (f.size / f.count);
}

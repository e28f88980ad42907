/** The x86_32 Xen PV ABI mirror: one module per public header family (see docs/xen-abi-notes.md). */
export * as xen from "./xen.ts";
export * as arch from "./arch-x86.ts";
export * as errno from "./errno.ts";
export * as elfnote from "./elfnote.ts";
export * as features from "./features.ts";
export * as version from "./version.ts";
export * as vcpu from "./vcpu.ts";
export * as sched from "./sched.ts";
export * as event_channel from "./event_channel.ts";
export * as callback from "./callback.ts";
export * as physdev from "./physdev.ts";
export * as memory from "./memory.ts";
export * as grant_table from "./grant_table.ts";
export * as console from "./console.ts";
export * as hypercallPage from "./hypercall-page.ts";
export { struct, off, elem, isStructLayout } from "./struct.ts";
export type { StructLayout, Field } from "./struct.ts";

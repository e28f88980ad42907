/**
 * The hypercall table: one declarative row per x86_32 PV hypercall number (in the spirit of Xen's
 * hypercall-defs.c): number, name (taken from the ABI mirror's __HYPERVISOR_* export, so it is
 * spelled as in xen.h), arity (how many of EBX, ECX, EDX, ESI, EDI it uses; a Xen debug build
 * clobbers exactly those), and the handler from hypercalls/<family>.ts. A row without a handler
 * returns -ENOSYS, as does any number outside the table.
 *
 * To implement a hypercall: write `export function name(hc: HypercallContext, a: Args): HcResult`
 * in the family file and put it in its row here.
 */
import * as X from "./abi/xen.ts";
import * as consoleHc from "./hypercalls/console.ts";
import * as versionHc from "./hypercalls/version.ts";
import * as schedHc from "./hypercalls/sched.ts";
import * as vcpuStateHc from "./hypercalls/vcpu-state.ts";
import * as memoryHc from "./hypercalls/memory.ts";
import * as physdevHc from "./hypercalls/physdev.ts";
import * as miscHc from "./hypercalls/misc.ts";
import * as mmHc from "./hypercalls/mm.ts";
import { multicall } from "./multicall.ts";
import * as traps from "./traps.ts";
import * as iretHc from "./iret.ts";
import { grantTableOp } from "./grant-table.ts";
import * as events from "./events.ts";
import * as vcpuOpHc from "./vcpu-op.ts";

export * from "./hypercall-types.ts";
import { HC_DENSE, HypercallStats, type HypercallHandler } from "./hypercall-types.ts";


export interface HypercallDef {
  readonly nr: number;
  /** The name as in xen.h without the __HYPERVISOR_ prefix. */
  readonly name: string;
  readonly arity: number;
  readonly handler?: HypercallHandler;
}

/** Reverse lookup of the mirror: number -> name (from the __HYPERVISOR_* exports of abi/xen.ts). */
const NAME_BY_NR = new Map<number, string>();
for (const [k, v] of Object.entries(X)) {
  if (k.startsWith("__HYPERVISOR_") && typeof v === "number" && !NAME_BY_NR.has(v)) NAME_BY_NR.set(v, k.slice("__HYPERVISOR_".length));
}

function def(nr: number, arity: number, handler?: HypercallHandler): HypercallDef {
  const name = NAME_BY_NR.get(nr);
  if (!name) throw new Error(`hypercall ${nr} is not in the ABI mirror`);
  return { nr, name, arity, handler };
}

/**
 * Every hypercall of xen.h with its x86_32 arity (spec 1.6). Handlers marked TODO belong to the
 * page-table (mmu_update, update_va_mapping*, mmuext_op, set_gdt, update_descriptor) and
 * events/traps (set_trap_table, set_callbacks, callback_op, iret, event_channel_op*, vcpu_op,
 * set_timer_op, nmi_op, grant_table_op) work that follows.
 */
export const HYPERCALLS: readonly HypercallDef[] = [
  def(X.__HYPERVISOR_set_trap_table, 1, traps.setTrapTable),
  def(X.__HYPERVISOR_mmu_update, 4, mmHc.mmuUpdate),
  def(X.__HYPERVISOR_set_gdt, 2, mmHc.setGdt),
  def(X.__HYPERVISOR_stack_switch, 2, vcpuStateHc.stackSwitch),
  def(X.__HYPERVISOR_set_callbacks, 4, iretHc.setCallbacks),
  def(X.__HYPERVISOR_fpu_taskswitch, 1, vcpuStateHc.fpuTaskswitch),
  def(X.__HYPERVISOR_sched_op_compat, 2, schedHc.schedOpCompat),
  def(X.__HYPERVISOR_platform_op, 1),
  def(X.__HYPERVISOR_set_debugreg, 2, vcpuStateHc.setDebugreg),
  def(X.__HYPERVISOR_get_debugreg, 1, vcpuStateHc.getDebugreg),
  def(X.__HYPERVISOR_update_descriptor, 4, mmHc.updateDescriptor),
  def(X.__HYPERVISOR_memory_op, 2, memoryHc.memoryOp),
  def(X.__HYPERVISOR_multicall, 2, multicall),
  def(X.__HYPERVISOR_update_va_mapping, 4, mmHc.updateVaMapping),
  def(X.__HYPERVISOR_set_timer_op, 2, vcpuOpHc.setTimerOp),
  def(X.__HYPERVISOR_event_channel_op_compat, 1, events.eventChannelOpCompat),
  def(X.__HYPERVISOR_xen_version, 2, versionHc.xenVersion),
  def(X.__HYPERVISOR_console_io, 3, consoleHc.consoleIo),
  def(X.__HYPERVISOR_physdev_op_compat, 1, physdevHc.physdevOpCompat),
  def(X.__HYPERVISOR_grant_table_op, 3, grantTableOp),
  def(X.__HYPERVISOR_vm_assist, 2, miscHc.vmAssist),
  def(X.__HYPERVISOR_update_va_mapping_otherdomain, 5, mmHc.updateVaMappingOtherdomain),
  def(X.__HYPERVISOR_iret, 0, iretHc.iret),
  def(X.__HYPERVISOR_vcpu_op, 3, vcpuOpHc.vcpuOp),
  def(X.__HYPERVISOR_set_segment_base, 2), // x86_64 only: -ENOSYS
  def(X.__HYPERVISOR_mmuext_op, 4, mmHc.mmuextOp),
  def(X.__HYPERVISOR_xsm_op, 1),
  def(X.__HYPERVISOR_nmi_op, 2, iretHc.nmiOp),
  def(X.__HYPERVISOR_sched_op, 2, schedHc.schedOp),
  def(X.__HYPERVISOR_callback_op, 2, iretHc.callbackOp),
  def(X.__HYPERVISOR_xenoprof_op, 2),
  def(X.__HYPERVISOR_event_channel_op, 2, events.eventChannelOp),
  def(X.__HYPERVISOR_physdev_op, 2, physdevHc.physdevOp),
  def(X.__HYPERVISOR_hvm_op, 2),
  def(X.__HYPERVISOR_sysctl, 1, miscHc.sysctl),
  def(X.__HYPERVISOR_domctl, 1),
  def(X.__HYPERVISOR_kexec_op, 2),
  def(X.__HYPERVISOR_tmem_op, 1),
  def(X.__HYPERVISOR_argo_op, 5),
  def(X.__HYPERVISOR_xenpmu_op, 2),
  def(X.__HYPERVISOR_dm_op, 3),
  def(X.__HYPERVISOR_hypfs_op, 5),
  def(X.__HYPERVISOR_arch_0, 2),
  def(X.__HYPERVISOR_arch_1, 2),
  def(X.__HYPERVISOR_arch_2, 0),
  def(X.__HYPERVISOR_arch_3, 0),
  def(X.__HYPERVISOR_arch_4, 0),
  def(X.__HYPERVISOR_arch_5, 0),
  def(X.__HYPERVISOR_arch_6, 0),
  def(X.__HYPERVISOR_arch_7, 0),
];

/** Number -> row (sparse). */
export const HYPERCALL_BY_NR: ReadonlyMap<number, HypercallDef> = new Map(HYPERCALLS.map((d) => [d.nr, d]));

/** Number -> row, dense (the dispatcher's lookup: one array index per hypercall). */
export const HYPERCALL_DENSE: readonly (HypercallDef | undefined)[] = Array.from({ length: HC_DENSE }, (_, nr) => HYPERCALL_BY_NR.get(nr));
if (HYPERCALLS.some((d) => d.nr >= HC_DENSE)) throw new Error("a hypercall number is outside the dense table");

export function hypercallName(nr: number): string { return HYPERCALL_BY_NR.get(nr >>> 0)?.name ?? `#${nr >>> 0}`; }
export function newStats(): HypercallStats { return new HypercallStats(hypercallName); }

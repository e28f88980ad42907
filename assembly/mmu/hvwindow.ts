/**
 * The Xen PV hypervisor range (Xen x86_32: HYPERVISOR_VIRT_START up to 4 GiB). Linear addresses
 * in it never consult the guest's page tables: a few host-defined windows map onto machine memory
 * (the read-only machine-to-phys table the guest kernel may read; the descriptor tables the CPU
 * reads implicitly), and every other address in the range raises #PF, as Xen's own mappings are
 * invisible to a guest. Disabled (HV_START = 0) outside PV mode.
 */
import { STATE, S_HV_START, S_HV_WINDOWS, HV_WINDOW_MAX, HVW_LIN, HVW_SIZE, HVW_MACH, HVW_FLAGS, HVW_READ, HVW_SYSTEM, RAM_BASE } from "../gen/layout";
import { raisePF } from "../cpu/fault";
import { tlbSet, T_VALID, T_NOUSER, T_READONLY } from "./tlb";
import { ACC_WRITE, ACC_USER, ACC_FETCH, ACC_IMPLICIT, PF_P, ramSize } from "./paging";

// @ts-ignore: decorator
@inline export function hvStart(): u32 { return load<u32>(STATE + S_HV_START); }

/** Translate a linear address inside the hypervisor range (caller checked lin >= hvStart()). */
export function hvTranslate(lin: u32, acc: i32): u32 {
  for (let i: u32 = 0; i < HV_WINDOW_MAX; i++) {
    const w = STATE + S_HV_WINDOWS + (i << 4);
    const size = load<u32>(w + HVW_SIZE);
    const off = lin - load<u32>(w + HVW_LIN);
    if (size == 0 || off >= size) continue;
    const flags = load<i32>(w + HVW_FLAGS);
    const pa = load<u32>(w + HVW_MACH) + off;
    if (acc & ACC_IMPLICIT) {
      if (flags & HVW_SYSTEM) return pa;
    } else if ((flags & HVW_READ) && (acc & (ACC_WRITE | ACC_USER | ACC_FETCH)) == 0) {
      if (pa < ramSize()) tlbSet(lin, (<u32>(RAM_BASE + (pa & ~0xfff))) | T_VALID | T_NOUSER | T_READONLY);
      return pa;
    }
    raisePF(lin, PF_P | (acc & (ACC_WRITE | ACC_USER)));
    return 0;
  }
  raisePF(lin, acc & (ACC_WRITE | ACC_USER));
  return 0;
}

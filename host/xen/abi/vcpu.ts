/** Mirror of xen/vcpu.h: VCPUOP_* commands and their argument structs (x86_32). */
import { struct } from "./struct.ts";

export const VCPUOP_initialise = 0;
export const VCPUOP_up = 1;
export const VCPUOP_down = 2;
export const VCPUOP_is_up = 3;
export const VCPUOP_get_runstate_info = 4;
export const VCPUOP_register_runstate_memory_area = 5;
export const VCPUOP_set_periodic_timer = 6;
export const VCPUOP_stop_periodic_timer = 7;
export const VCPUOP_set_singleshot_timer = 8;
export const VCPUOP_stop_singleshot_timer = 9;
export const VCPUOP_register_vcpu_info = 10;
export const VCPUOP_send_nmi = 11;
export const VCPUOP_get_physid = 12;
export const VCPUOP_register_vcpu_time_memory_area = 13;

export const RUNSTATE_running = 0;
export const RUNSTATE_runnable = 1;
export const RUNSTATE_blocked = 2;
export const RUNSTATE_offline = 3;
/** Bit 63 of state_entry_time while the hypervisor updates the area (VMASST_TYPE_runstate_update_flag). */
export const XEN_RUNSTATE_UPDATE = 1n << 63n;

export const _VCPU_SSHOTTMR_future = 0;
export const VCPU_SSHOTTMR_future = 1 << 0;

/** uint64_t members are only 4-byte aligned on i386, hence 44 bytes, not 48. */
export const vcpu_runstate_info = struct("struct vcpu_runstate_info", 44, {
  state: [0, 4],
  state_entry_time: [4, 8],
  time: [12, 32, 4],
});

export const vcpu_register_runstate_memory_area = struct("struct vcpu_register_runstate_memory_area", 8, {
  "addr.h": [0, 4],
  "addr.v": [0, 4],
  "addr.p": [0, 8],
});

export const vcpu_set_periodic_timer = struct("struct vcpu_set_periodic_timer", 8, {
  period_ns: [0, 8],
});

export const vcpu_set_singleshot_timer = struct("struct vcpu_set_singleshot_timer", 12, {
  timeout_abs_ns: [0, 8],
  flags: [8, 4],
});

export const vcpu_register_vcpu_info = struct("struct vcpu_register_vcpu_info", 16, {
  mfn: [0, 8],
  offset: [8, 4],
  rsvd: [12, 4],
});

export const vcpu_get_physid = struct("struct vcpu_get_physid", 8, {
  phys_id: [0, 8],
});

export const vcpu_register_time_memory_area = struct("struct vcpu_register_time_memory_area", 8, {
  "addr.h": [0, 4],
  "addr.v": [0, 4],
  "addr.p": [0, 8],
});

/** Mirror of xen/event_channel.h: EVTCHNOP_* commands, EVTCHNSTAT_* values and op structs (x86_32). */
import { struct } from "./struct.ts";

export const EVTCHNOP_bind_interdomain = 0;
export const EVTCHNOP_bind_virq = 1;
export const EVTCHNOP_bind_pirq = 2;
export const EVTCHNOP_close = 3;
export const EVTCHNOP_send = 4;
export const EVTCHNOP_status = 5;
export const EVTCHNOP_alloc_unbound = 6;
export const EVTCHNOP_bind_ipi = 7;
export const EVTCHNOP_bind_vcpu = 8;
export const EVTCHNOP_unmask = 9;
export const EVTCHNOP_reset = 10;
export const EVTCHNOP_init_control = 11;
export const EVTCHNOP_expand_array = 12;
export const EVTCHNOP_set_priority = 13;

export const BIND_PIRQ__WILL_SHARE = 1;

export const EVTCHNSTAT_closed = 0;
export const EVTCHNSTAT_unbound = 1;
export const EVTCHNSTAT_interdomain = 2;
export const EVTCHNSTAT_pirq = 3;
export const EVTCHNSTAT_virq = 4;
export const EVTCHNSTAT_ipi = 5;

/** sizeof(xen_ulong_t) * sizeof(xen_ulong_t) * 64 = 1024 ports for a 32-bit guest. */
export const EVTCHN_2L_NR_CHANNELS = 1024;

export const EVTCHN_FIFO_PRIORITY_MAX = 0;
export const EVTCHN_FIFO_PRIORITY_DEFAULT = 7;
export const EVTCHN_FIFO_PRIORITY_MIN = 15;
export const EVTCHN_FIFO_MAX_QUEUES = 16;
export const EVTCHN_FIFO_PENDING = 31;
export const EVTCHN_FIFO_MASKED = 30;
export const EVTCHN_FIFO_LINKED = 29;
export const EVTCHN_FIFO_BUSY = 28;
export const EVTCHN_FIFO_LINK_BITS = 17;
export const EVTCHN_FIFO_LINK_MASK = (1 << 17) - 1;
export const EVTCHN_FIFO_NR_CHANNELS = 1 << 17;

export const evtchn_alloc_unbound = struct("struct evtchn_alloc_unbound", 8, {
  dom: [0, 2],
  remote_dom: [2, 2],
  port: [4, 4],
});

export const evtchn_bind_interdomain = struct("struct evtchn_bind_interdomain", 12, {
  remote_dom: [0, 2],
  remote_port: [4, 4],
  local_port: [8, 4],
});

export const evtchn_bind_virq = struct("struct evtchn_bind_virq", 12, {
  virq: [0, 4],
  vcpu: [4, 4],
  port: [8, 4],
});

export const evtchn_bind_pirq = struct("struct evtchn_bind_pirq", 12, {
  pirq: [0, 4],
  flags: [4, 4],
  port: [8, 4],
});

export const evtchn_bind_ipi = struct("struct evtchn_bind_ipi", 8, {
  vcpu: [0, 4],
  port: [4, 4],
});

export const evtchn_close = struct("struct evtchn_close", 4, { port: [0, 4] });
export const evtchn_send = struct("struct evtchn_send", 4, { port: [0, 4] });

export const evtchn_status = struct("struct evtchn_status", 24, {
  dom: [0, 2],
  port: [4, 4],
  status: [8, 4],
  vcpu: [12, 4],
  "u.unbound.dom": [16, 2],
  "u.interdomain.dom": [16, 2],
  "u.interdomain.port": [20, 4],
  "u.pirq": [16, 4],
  "u.virq": [16, 4],
});

export const evtchn_bind_vcpu = struct("struct evtchn_bind_vcpu", 8, {
  port: [0, 4],
  vcpu: [4, 4],
});

export const evtchn_unmask = struct("struct evtchn_unmask", 4, { port: [0, 4] });
export const evtchn_reset = struct("struct evtchn_reset", 2, { dom: [0, 2] });

export const evtchn_init_control = struct("struct evtchn_init_control", 24, {
  control_gfn: [0, 8],
  offset: [8, 4],
  vcpu: [12, 4],
  link_bits: [16, 1],
  _pad: [17, 7, 7],
});

export const evtchn_expand_array = struct("struct evtchn_expand_array", 8, { array_gfn: [0, 8] });

export const evtchn_set_priority = struct("struct evtchn_set_priority", 8, {
  port: [0, 4],
  priority: [4, 4],
});

/** The argument of the legacy event_channel_op_compat (hypercall 16): cmd then the op struct. */
export const evtchn_op = struct("struct evtchn_op", 28, {
  cmd: [0, 4],
  u: [4, 24],
  "u.alloc_unbound.port": [8, 4],
  "u.bind_virq.port": [12, 4],
  "u.status.u.interdomain.port": [24, 4],
});

export const evtchn_fifo_control_block = struct("struct evtchn_fifo_control_block", 72, {
  ready: [0, 4],
  _rsvd: [4, 4],
  head: [8, 64, 16],
});

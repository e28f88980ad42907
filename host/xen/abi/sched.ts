/** Mirror of xen/sched.h: SCHEDOP_* commands, shutdown reasons and argument structs. */
import { struct } from "./struct.ts";

export const SCHEDOP_yield = 0;
export const SCHEDOP_block = 1;
export const SCHEDOP_shutdown = 2;
export const SCHEDOP_poll = 3;
export const SCHEDOP_remote_shutdown = 4;
export const SCHEDOP_shutdown_code = 5;
export const SCHEDOP_watchdog = 6;
export const SCHEDOP_pin_override = 7;

export const SHUTDOWN_poweroff = 0;
export const SHUTDOWN_reboot = 1;
export const SHUTDOWN_suspend = 2;
export const SHUTDOWN_crash = 3;
export const SHUTDOWN_watchdog = 4;
export const SHUTDOWN_soft_reset = 5;
export const SHUTDOWN_MAX = 5;

export const sched_shutdown = struct("struct sched_shutdown", 4, {
  reason: [0, 4],
});

export const sched_poll = struct("struct sched_poll", 16, {
  ports: [0, 4],
  nr_ports: [4, 4],
  timeout: [8, 8],
});

export const sched_remote_shutdown = struct("struct sched_remote_shutdown", 8, {
  domain_id: [0, 2],
  reason: [4, 4],
});

export const sched_watchdog = struct("struct sched_watchdog", 8, {
  id: [0, 4],
  timeout: [4, 4],
});

export const sched_pin_override = struct("struct sched_pin_override", 4, {
  pcpu: [0, 4],
});

/**
 * physdev_op (33) and physdev_op_compat (19) (spec 9.8): a domU without devices needs only the
 * virtual IOPL and the I/O bitmap; every other command is -ENOSYS here.
 */
import * as P from "../abi/physdev.ts";
import { XEN_EINVAL, XEN_ENOSYS, xenErr } from "../abi/errno.ts";
import type { Args, HcResult, HypercallContext } from "../hypercall-types.ts";
import { syncDirectGate } from "../traps.ts";

export function physdevOp(hc: HypercallContext, [cmd, arg]: Args): HcResult {
  switch (cmd) {
    case P.PHYSDEVOP_set_iopl: {
      const iopl = hc.mem.readU32(arg + P.physdev_set_iopl.fields.iopl.offset);
      if (iopl > 3) return xenErr(XEN_EINVAL);
      hc.vcpu.iopl = iopl;
      syncDirectGate(hc.dom);
      return 0;
    }
    case P.PHYSDEVOP_set_iobitmap: {
      const s = P.physdev_set_iobitmap;
      const b = hc.mem.readStruct(arg, s.size);
      hc.vcpu.iobitmap = { ptr: b.getUint32(s.fields.bitmap.offset, true), nrPorts: b.getUint32(s.fields.nr_ports.offset, true) };
      return 0;
    }
    default:
      return xenErr(XEN_ENOSYS);
  }
}

/** The legacy form: one pointer to struct physdev_op { cmd; union u } (the union's argument at u). */
export function physdevOpCompat(hc: HypercallContext, [ptr]: Args): HcResult {
  const cmd = hc.mem.readU32(ptr + P.physdev_op.fields.cmd.offset);
  return physdevOp(hc, [cmd, (ptr + P.physdev_op.fields.u.offset) >>> 0]);
}

/**
 * multicall (13) (spec 7): run `nr` struct multicall_entry from guest memory, in order, each
 * exactly as if the guest had issued the hypercall with args[0..4] in EBX..EDI, through the same
 * hypercall table. Only each entry's `result` is written back (with the Xen debug option, the rest
 * of the entry is then poisoned with 0xAA, as debug builds of Xen do). A failing entry does not stop
 * the batch. Nesting is refused: a multicall inside a multicall gets -EINVAL as its result.
 *
 * Long batches are preempted the way Xen does it: after MULTICALL_CHUNK entries the multicall
 * continues (EIP back on `int 0x82`, EBX advanced, ECX reduced), so one exit never does unbounded
 * work, whatever `nr` is. A sub-call that wants a continuation itself has its entry's arguments
 * updated in guest memory and the multicall resumes at that entry.
 */
import { multicall_entry } from "./abi/xen.ts";
import { XEN_EINVAL, xenErr } from "./abi/errno.ts";
import { continuation, type Args, type HcResult, type HypercallContext } from "./hypercall-types.ts";

export const MULTICALL_CHUNK = 64;
const ENTRY = multicall_entry.size;
const F = multicall_entry.fields;
const NARGS = F.args.count!;
export const POISON = 0xaa;

export function multicall(hc: HypercallContext, [list, nr]: Args): HcResult {
  if (hc.inMulticall) return xenErr(XEN_EINVAL);
  let done = 0;
  const record = () => hc.stats.batchSizes.set(done, (hc.stats.batchSizes.get(done) ?? 0) + 1);
  try {
    for (; done < nr; done++) {
      if (done === MULTICALL_CHUNK || hc.dom.shutdown || hc.dom.blocked) break;
      const at = (list + done * ENTRY) >>> 0;
      const e = hc.mem.readStruct(at, ENTRY);
      const op = e.getUint32(F.op.offset, true);
      const args: number[] = new Array(NARGS);
      for (let i = 0; i < NARGS; i++) args[i] = e.getUint32(F.args.offset + i * 4, true);
      const r = hc.call(op, args, true);
      if (typeof r === "object" && r.kind === "continue") {
        // Save the sub-call's remaining work in its entry and resume the multicall there.
        const b = new Uint8Array(r.args.length * 4);
        const dv = new DataView(b.buffer);
        r.args.forEach((v, i) => dv.setUint32(i * 4, v >>> 0, true));
        hc.mem.copyToGuest(at + F.args.offset, b);
        record();
        return continuation([at, nr - done]);
      }
      if (typeof r === "object") { done++; record(); return r; } // noreturn (iret): ends the batch
      hc.mem.writeU32(at + F.result.offset, r);
      if (hc.dom.xenDebug) {
        hc.mem.copyToGuest(at + F.op.offset, new Uint8Array(F.op.size).fill(POISON));
        hc.mem.copyToGuest(at + F.args.offset, new Uint8Array(F.args.size).fill(POISON));
      }
    }
  } catch (e) {
    record();
    throw e; // EFault -> -EFAULT for the multicall (entries before it have run)
  }
  record();
  if (done < nr && !hc.dom.shutdown && !hc.dom.blocked) return continuation([(list + done * ENTRY) >>> 0, nr - done]);
  return 0;
}

export type { Args };

/**
 * Mirror of xen/io/blkif.h (x86_32), the blkif shared ring of xen/io/ring.h for one 4 KiB page,
 * and the XenbusState values of xen/io/xenbus.h.
 */
import { struct } from "./struct.ts";

export const BLKIF_OP_READ = 0;
export const BLKIF_OP_WRITE = 1;
export const BLKIF_OP_WRITE_BARRIER = 2;
export const BLKIF_OP_FLUSH_DISKCACHE = 3;
export const BLKIF_OP_DISCARD = 5;
export const BLKIF_OP_INDIRECT = 6;
export const BLKIF_MAX_SEGMENTS_PER_REQUEST = 11;
export const BLKIF_RSP_EOPNOTSUPP = -2;
export const BLKIF_RSP_ERROR = -1;
export const BLKIF_RSP_OKAY = 0;
export const VDISK_CDROM = 0x1;
export const VDISK_REMOVABLE = 0x2;
export const VDISK_READONLY = 0x4;

/** Requests (and responses) in a one-page ring: __CONST_RING_SIZE(blkif, 4096), not a header macro. */
export const BLKIF_RING_SIZE = 32;

/** XenbusState (an enum in xenbus.h, so the layout test reads the names as C expressions). */
export const XenbusStateUnknown = 0;
export const XenbusStateInitialising = 1;
export const XenbusStateInitWait = 2;
export const XenbusStateInitialised = 3;
export const XenbusStateConnected = 4;
export const XenbusStateClosing = 5;
export const XenbusStateClosed = 6;
export const XenbusStateReconfiguring = 7;
export const XenbusStateReconfigured = 8;

export const C_EXPR: Readonly<Record<string, string>> = {
  BLKIF_RING_SIZE: "__CONST_RING_SIZE(blkif, 4096)",
  ...Object.fromEntries(["Unknown", "Initialising", "InitWait", "Initialised", "Connected", "Closing", "Closed", "Reconfiguring", "Reconfigured"]
    .map((s) => [`XenbusState${s}`, `XenbusState${s}`])),
};

export const blkif_request_segment = struct("struct blkif_request_segment", 8, {
  gref: [0, 4],
  first_sect: [4, 1],
  last_sect: [5, 1],
});

/** On x86_32 the 64-bit id and sector_number are only 4-byte aligned. */
export const blkif_request = struct("struct blkif_request", 108, {
  operation: [0, 1],
  nr_segments: [1, 1],
  handle: [2, 2],
  id: [4, 8],
  sector_number: [12, 8],
  seg: [20, 88, 11],
});

export const blkif_response = struct("struct blkif_response", 12, {
  id: [0, 8],
  operation: [8, 1],
  status: [10, 2],
});

/** The shared page: four indexes, 48 bytes of padding, then ring[] of union blkif_sring_entry (108 bytes). */
export const blkif_sring = struct("struct blkif_sring", 172, {
  req_prod: [0, 4],
  req_event: [4, 4],
  rsp_prod: [8, 4],
  rsp_event: [12, 4],
  ring: [64, 108, 1],
});

/** Mirror of xen/io/xs_wire.h: xenstore message types, the xsd_sockmsg header and the domain ring page. */
import { struct } from "./struct.ts";

export const XS_CONTROL = 0, XS_DEBUG = 0, XS_DIRECTORY = 1, XS_READ = 2, XS_GET_PERMS = 3, XS_WATCH = 4, XS_UNWATCH = 5;
export const XS_TRANSACTION_START = 6, XS_TRANSACTION_END = 7, XS_INTRODUCE = 8, XS_RELEASE = 9, XS_GET_DOMAIN_PATH = 10;
export const XS_WRITE = 11, XS_MKDIR = 12, XS_RM = 13, XS_SET_PERMS = 14, XS_WATCH_EVENT = 15, XS_ERROR = 16;
export const XS_IS_DOMAIN_INTRODUCED = 17, XS_RESUME = 18, XS_SET_TARGET = 19, XS_RESET_WATCHES = 21, XS_DIRECTORY_PART = 22;
export const XS_TYPE_COUNT = 23, XS_INVALID = 0xffff;
export const XS_WATCH_PATH = 0, XS_WATCH_TOKEN = 1;
export const XENSTORE_RING_SIZE = 1024;
/** Not in this header version (xenstore's limit on a message's payload, documented in docs/misc/xenstore.txt). */
export const XENSTORE_PAYLOAD_MAX = 4096;

export const xsd_sockmsg = struct("struct xsd_sockmsg", 16, {
  type: [0, 4], req_id: [4, 4], tx_id: [8, 4], len: [12, 4],
});
export const xenstore_domain_interface = struct("struct xenstore_domain_interface", 2076, {
  req: [0x000, 1024, 1024],
  rsp: [0x400, 1024, 1024],
  req_cons: [0x800, 4], req_prod: [0x804, 4],
  rsp_cons: [0x808, 4], rsp_prod: [0x80c, 4],
  server_features: [0x810, 4], connection: [0x814, 4], error: [0x818, 4],
});
/** The error strings of xsd_errors[], in the header's order. */
export const XSD_ERRORS = ["EINVAL", "EACCES", "EEXIST", "EISDIR", "ENOENT", "ENOMEM", "ENOSPC", "EIO", "ENOTEMPTY", "ENOSYS", "EROFS", "EBUSY", "EAGAIN", "EISCONN", "E2BIG", "EPERM"] as const;
export type XsdError = (typeof XSD_ERRORS)[number];

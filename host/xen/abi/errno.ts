/**
 * Mirror of xen/errno.h: Xen's errno values (hypercalls return them negated, e.g. -XEN_EINVAL).
 * The header expands its list into `enum xen_errno { XEN_EPERM = 1, ... }`, so the C names carry
 * the XEN_ prefix. XEN_EINTR and XEN_ERESTART are marked "internal only" (visible with __XEN__):
 * a guest must never see them.
 */
export const XEN_EPERM = 1;
export const XEN_ENOENT = 2;
export const XEN_ESRCH = 3;
export const XEN_EINTR = 4;
export const XEN_EIO = 5;
export const XEN_ENXIO = 6;
export const XEN_E2BIG = 7;
export const XEN_ENOEXEC = 8;
export const XEN_EBADF = 9;
export const XEN_ECHILD = 10;
export const XEN_EAGAIN = 11;
export const XEN_EWOULDBLOCK = 11;
export const XEN_ENOMEM = 12;
export const XEN_EACCES = 13;
export const XEN_EFAULT = 14;
export const XEN_EBUSY = 16;
export const XEN_EEXIST = 17;
export const XEN_EXDEV = 18;
export const XEN_ENODEV = 19;
export const XEN_ENOTDIR = 20;
export const XEN_EISDIR = 21;
export const XEN_EINVAL = 22;
export const XEN_ENFILE = 23;
export const XEN_EMFILE = 24;
export const XEN_ENOSPC = 28;
export const XEN_EROFS = 30;
export const XEN_EMLINK = 31;
export const XEN_EDOM = 33;
export const XEN_ERANGE = 34;
export const XEN_EDEADLK = 35;
export const XEN_EDEADLOCK = 35;
export const XEN_ENAMETOOLONG = 36;
export const XEN_ENOLCK = 37;
export const XEN_ENOSYS = 38;
export const XEN_ENOTEMPTY = 39;
export const XEN_ENODATA = 61;
export const XEN_ETIME = 62;
export const XEN_EBADMSG = 74;
export const XEN_EOVERFLOW = 75;
export const XEN_EILSEQ = 84;
export const XEN_ERESTART = 85;
export const XEN_ENOTSOCK = 88;
export const XEN_EMSGSIZE = 90;
export const XEN_EOPNOTSUPP = 95;
export const XEN_EADDRINUSE = 98;
export const XEN_EADDRNOTAVAIL = 99;
export const XEN_ENOBUFS = 105;
export const XEN_EISCONN = 106;
export const XEN_ENOTCONN = 107;
export const XEN_ETIMEDOUT = 110;
export const XEN_ECONNREFUSED = 111;

/** Names the header only defines for the hypervisor itself (#ifdef __XEN__). */
export const XEN_INTERNAL_ERRNOS: readonly string[] = ["XEN_EINTR", "XEN_ERESTART"];

/** The value a hypercall returns in EAX for error `e` (a negative errno as an unsigned 32-bit word). */
export function xenErr(e: number): number { return (-e) >>> 0; }

// The project's one errno table: Linux's numbers and names (asm-generic/errno-base.h,
// asm-generic/errno.h) and glibc's strerror(3) messages, the text strace prints after a
// failed call. Every layer may import it (like time.ts): posix and aio return `-errno`,
// iface and transport map their result codes to these names, the public API puts the
// negated number in a Node-shaped error's `errno`. Numbers are Linux's on every platform
// we run on, so a trace reads the same everywhere. Add names here, never elsewhere.

/** Operation not permitted (1). */
export const EPERM = 1;
/** No such file or directory (2). */
export const ENOENT = 2;
/** No such process (3). */
export const ESRCH = 3;
/** Interrupted system call (4). */
export const EINTR = 4;
/** Input/output error (5). */
export const EIO = 5;
/** No such device or address (6). */
export const ENXIO = 6;
/** Argument list too long (7). */
export const E2BIG = 7;
/** Exec format error (8). */
export const ENOEXEC = 8;
/** Bad file descriptor (9). */
export const EBADF = 9;
/** No child processes (10). */
export const ECHILD = 10;
/** Resource temporarily unavailable (11). */
export const EAGAIN = 11;
/** Cannot allocate memory (12). */
export const ENOMEM = 12;
/** Permission denied (13). */
export const EACCES = 13;
/** Bad address (14). */
export const EFAULT = 14;
/** Block device required (15). */
export const ENOTBLK = 15;
/** Device or resource busy (16). */
export const EBUSY = 16;
/** File exists (17). */
export const EEXIST = 17;
/** Invalid cross-device link (18). */
export const EXDEV = 18;
/** No such device (19). */
export const ENODEV = 19;
/** Not a directory (20). */
export const ENOTDIR = 20;
/** Is a directory (21). */
export const EISDIR = 21;
/** Invalid argument (22). */
export const EINVAL = 22;
/** Too many open files in system (23). */
export const ENFILE = 23;
/** Too many open files (24). */
export const EMFILE = 24;
/** Inappropriate ioctl for device (25). */
export const ENOTTY = 25;
/** Text file busy (26). */
export const ETXTBSY = 26;
/** File too large (27). */
export const EFBIG = 27;
/** No space left on device (28). */
export const ENOSPC = 28;
/** Illegal seek (29). */
export const ESPIPE = 29;
/** Read-only file system (30). */
export const EROFS = 30;
/** Too many links (31). */
export const EMLINK = 31;
/** Broken pipe (32). */
export const EPIPE = 32;
/** Numerical argument out of domain (33). */
export const EDOM = 33;
/** Numerical result out of range (34). */
export const ERANGE = 34;
/** Resource deadlock avoided (35). */
export const EDEADLK = 35;
/** File name too long (36). */
export const ENAMETOOLONG = 36;
/** No locks available (37). */
export const ENOLCK = 37;
/** Function not implemented (38). */
export const ENOSYS = 38;
/** Directory not empty (39). */
export const ENOTEMPTY = 39;
/** Too many levels of symbolic links (40). */
export const ELOOP = 40;
/** No message of desired type (42). */
export const ENOMSG = 42;
/** No data available (61). */
export const ENODATA = 61;
/** Timer expired (62). */
export const ETIME = 62;
/** Protocol error (71). */
export const EPROTO = 71;
/** Bad message (74). */
export const EBADMSG = 74;
/** Value too large for defined data type (75). */
export const EOVERFLOW = 75;
/** Invalid or incomplete multibyte or wide character (84). */
export const EILSEQ = 84;
/** Socket operation on non-socket (88). */
export const ENOTSOCK = 88;
/** Destination address required (89). */
export const EDESTADDRREQ = 89;
/** Message too long (90). */
export const EMSGSIZE = 90;
/** Protocol wrong type for socket (91). */
export const EPROTOTYPE = 91;
/** Protocol not available (92). */
export const ENOPROTOOPT = 92;
/** Protocol not supported (93). */
export const EPROTONOSUPPORT = 93;
/** Socket type not supported (94). */
export const ESOCKTNOSUPPORT = 94;
/** Operation not supported (95). */
export const EOPNOTSUPP = 95;
/** Protocol family not supported (96). */
export const EPFNOSUPPORT = 96;
/** Address family not supported by protocol (97). */
export const EAFNOSUPPORT = 97;
/** Address already in use (98). */
export const EADDRINUSE = 98;
/** Cannot assign requested address (99). */
export const EADDRNOTAVAIL = 99;
/** Network is down (100). */
export const ENETDOWN = 100;
/** Network is unreachable (101). */
export const ENETUNREACH = 101;
/** Network dropped connection on reset (102). */
export const ENETRESET = 102;
/** Software caused connection abort (103). */
export const ECONNABORTED = 103;
/** Connection reset by peer (104). */
export const ECONNRESET = 104;
/** No buffer space available (105). */
export const ENOBUFS = 105;
/** Transport endpoint is already connected (106). */
export const EISCONN = 106;
/** Transport endpoint is not connected (107). */
export const ENOTCONN = 107;
/** Cannot send after transport endpoint shutdown (108). */
export const ESHUTDOWN = 108;
/** Too many references: cannot splice (109). */
export const ETOOMANYREFS = 109;
/** Connection timed out (110). */
export const ETIMEDOUT = 110;
/** Connection refused (111). */
export const ECONNREFUSED = 111;
/** Host is down (112). */
export const EHOSTDOWN = 112;
/** No route to host (113). */
export const EHOSTUNREACH = 113;
/** Operation already in progress (114). */
export const EALREADY = 114;
/** Operation now in progress (115). */
export const EINPROGRESS = 115;
/** Stale file handle (116). */
export const ESTALE = 116;
/** Disk quota exceeded (122). */
export const EDQUOT = 122;
/** Operation canceled (125). */
export const ECANCELED = 125;
/** Same as EAGAIN on Linux. */
export const EWOULDBLOCK = EAGAIN;
/** Same as EOPNOTSUPP on Linux. */
export const ENOTSUP = EOPNOTSUPP;
/** Same as EDEADLK on Linux. */
export const EDEADLOCK = EDEADLK;

// [number, name, glibc message], sorted by number. The aliases above are not rows: a
// number has one name (the one strace prints).
const TABLE: readonly (readonly [number, string, string])[] = [
  [1, 'EPERM', 'Operation not permitted'],
  [2, 'ENOENT', 'No such file or directory'],
  [3, 'ESRCH', 'No such process'],
  [4, 'EINTR', 'Interrupted system call'],
  [5, 'EIO', 'Input/output error'],
  [6, 'ENXIO', 'No such device or address'],
  [7, 'E2BIG', 'Argument list too long'],
  [8, 'ENOEXEC', 'Exec format error'],
  [9, 'EBADF', 'Bad file descriptor'],
  [10, 'ECHILD', 'No child processes'],
  [11, 'EAGAIN', 'Resource temporarily unavailable'],
  [12, 'ENOMEM', 'Cannot allocate memory'],
  [13, 'EACCES', 'Permission denied'],
  [14, 'EFAULT', 'Bad address'],
  [15, 'ENOTBLK', 'Block device required'],
  [16, 'EBUSY', 'Device or resource busy'],
  [17, 'EEXIST', 'File exists'],
  [18, 'EXDEV', 'Invalid cross-device link'],
  [19, 'ENODEV', 'No such device'],
  [20, 'ENOTDIR', 'Not a directory'],
  [21, 'EISDIR', 'Is a directory'],
  [22, 'EINVAL', 'Invalid argument'],
  [23, 'ENFILE', 'Too many open files in system'],
  [24, 'EMFILE', 'Too many open files'],
  [25, 'ENOTTY', 'Inappropriate ioctl for device'],
  [26, 'ETXTBSY', 'Text file busy'],
  [27, 'EFBIG', 'File too large'],
  [28, 'ENOSPC', 'No space left on device'],
  [29, 'ESPIPE', 'Illegal seek'],
  [30, 'EROFS', 'Read-only file system'],
  [31, 'EMLINK', 'Too many links'],
  [32, 'EPIPE', 'Broken pipe'],
  [33, 'EDOM', 'Numerical argument out of domain'],
  [34, 'ERANGE', 'Numerical result out of range'],
  [35, 'EDEADLK', 'Resource deadlock avoided'],
  [36, 'ENAMETOOLONG', 'File name too long'],
  [37, 'ENOLCK', 'No locks available'],
  [38, 'ENOSYS', 'Function not implemented'],
  [39, 'ENOTEMPTY', 'Directory not empty'],
  [40, 'ELOOP', 'Too many levels of symbolic links'],
  [42, 'ENOMSG', 'No message of desired type'],
  [61, 'ENODATA', 'No data available'],
  [62, 'ETIME', 'Timer expired'],
  [71, 'EPROTO', 'Protocol error'],
  [74, 'EBADMSG', 'Bad message'],
  [75, 'EOVERFLOW', 'Value too large for defined data type'],
  [84, 'EILSEQ', 'Invalid or incomplete multibyte or wide character'],
  [88, 'ENOTSOCK', 'Socket operation on non-socket'],
  [89, 'EDESTADDRREQ', 'Destination address required'],
  [90, 'EMSGSIZE', 'Message too long'],
  [91, 'EPROTOTYPE', 'Protocol wrong type for socket'],
  [92, 'ENOPROTOOPT', 'Protocol not available'],
  [93, 'EPROTONOSUPPORT', 'Protocol not supported'],
  [94, 'ESOCKTNOSUPPORT', 'Socket type not supported'],
  [95, 'EOPNOTSUPP', 'Operation not supported'],
  [96, 'EPFNOSUPPORT', 'Protocol family not supported'],
  [97, 'EAFNOSUPPORT', 'Address family not supported by protocol'],
  [98, 'EADDRINUSE', 'Address already in use'],
  [99, 'EADDRNOTAVAIL', 'Cannot assign requested address'],
  [100, 'ENETDOWN', 'Network is down'],
  [101, 'ENETUNREACH', 'Network is unreachable'],
  [102, 'ENETRESET', 'Network dropped connection on reset'],
  [103, 'ECONNABORTED', 'Software caused connection abort'],
  [104, 'ECONNRESET', 'Connection reset by peer'],
  [105, 'ENOBUFS', 'No buffer space available'],
  [106, 'EISCONN', 'Transport endpoint is already connected'],
  [107, 'ENOTCONN', 'Transport endpoint is not connected'],
  [108, 'ESHUTDOWN', 'Cannot send after transport endpoint shutdown'],
  [109, 'ETOOMANYREFS', 'Too many references: cannot splice'],
  [110, 'ETIMEDOUT', 'Connection timed out'],
  [111, 'ECONNREFUSED', 'Connection refused'],
  [112, 'EHOSTDOWN', 'Host is down'],
  [113, 'EHOSTUNREACH', 'No route to host'],
  [114, 'EALREADY', 'Operation already in progress'],
  [115, 'EINPROGRESS', 'Operation now in progress'],
  [116, 'ESTALE', 'Stale file handle'],
  [122, 'EDQUOT', 'Disk quota exceeded'],
  [125, 'ECANCELED', 'Operation canceled'],
];

const NAME_OF: string[] = [];
const MESSAGE_OF: string[] = [];
const NUMBER_OF = new Map<string, number>();
for (const [n, name, msg] of TABLE) {
  NAME_OF[n] = name;
  MESSAGE_OF[n] = msg;
  NUMBER_OF.set(name, n);
}
NUMBER_OF.set('EWOULDBLOCK', EAGAIN);
NUMBER_OF.set('ENOTSUP', EOPNOTSUPP);
NUMBER_OF.set('EDEADLOCK', EDEADLK);

/** Every errno of the table as `[number, name]`, sorted by number (for docs and tests). */
export const ERRNO_TABLE: readonly (readonly [number, string])[] = TABLE.map(([n, name]) => [n, name] as const);

/** Return the name of errno `n` ("EAGAIN"); a negated value works too; "E?<n>" when unknown. */
export function errnoName(n: number): string {
  const a = n < 0 ? -n : n;
  return NAME_OF[a] ?? `E?${n}`;
}

/** Return the number of errno `name` ("EAGAIN" → 11, aliases included), or 0 when unknown. */
export function errnoNumber(name: string): number {
  return NUMBER_OF.get(name) ?? 0;
}

/** Return glibc's message for errno `n`, as strerror(3) does ("Unknown error <n>" when unknown); a negated value works too. */
export function strerror(n: number): string {
  const a = n < 0 ? -n : n;
  return MESSAGE_OF[a] ?? `Unknown error ${a}`;
}

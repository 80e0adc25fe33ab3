// The numeric constants of the socket API, with Linux's values (x86-64 and arm64 agree on
// all of them), spelled as the man pages spell them so code and traces can be grepped.

/** Address family IPv4 (socket(2), `sockaddr_in.sin_family`). */
export const AF_UNSPEC = 0;
export const AF_UNIX = 1;
export const AF_INET = 2;
export const AF_INET6 = 10;

/** Socket types (socket(2)). */
export const SOCK_STREAM = 1;
export const SOCK_DGRAM = 2;
export const SOCK_RAW = 3;
/** Flags or-ed into socket(2)'s type and accept4(2)'s flags. */
export const SOCK_NONBLOCK = 0o4000;
export const SOCK_CLOEXEC = 0o2000000;

/** Protocol numbers (socket(2)'s third argument, setsockopt(2)'s level). */
export const IPPROTO_IP = 0;
export const IPPROTO_TCP = 6;
export const IPPROTO_UDP = 17;

/** Option level of the socket itself (socket(7)). */
export const SOL_SOCKET = 1;
/** SOL_SOCKET options (socket(7)). */
export const SO_REUSEADDR = 2;
export const SO_TYPE = 3;
export const SO_ERROR = 4;
export const SO_BROADCAST = 6;
export const SO_SNDBUF = 7;
export const SO_RCVBUF = 8;
export const SO_KEEPALIVE = 9;
export const SO_LINGER = 13;
export const SO_REUSEPORT = 15;
export const SO_ACCEPTCONN = 30;
export const SO_PROTOCOL = 38;
export const SO_DOMAIN = 39;

/** IPPROTO_TCP options (tcp(7)). */
export const TCP_NODELAY = 1;
export const TCP_MAXSEG = 2;
export const TCP_CORK = 3;
export const TCP_KEEPIDLE = 4;
export const TCP_KEEPINTVL = 5;
export const TCP_KEEPCNT = 6;
export const TCP_INFO = 11;
export const TCP_CONGESTION = 13;
export const TCP_USER_TIMEOUT = 18;

/** shutdown(2) directions. */
export const SHUT_RD = 0;
export const SHUT_WR = 1;
export const SHUT_RDWR = 2;

/** send(2)/recv(2) flags. */
export const MSG_OOB = 0x1;
export const MSG_PEEK = 0x2;
export const MSG_TRUNC = 0x20;
export const MSG_DONTWAIT = 0x40;
export const MSG_WAITALL = 0x100;
export const MSG_NOSIGNAL = 0x4000;

/** fcntl(2) commands and flags. */
export const F_GETFD = 1;
export const F_SETFD = 2;
export const F_GETFL = 3;
export const F_SETFL = 4;
export const FD_CLOEXEC = 1;
export const O_RDONLY = 0;
export const O_WRONLY = 1;
export const O_RDWR = 2;
export const O_NONBLOCK = 0o4000;

/** poll(2) events. */
export const POLLIN = 0x001;
export const POLLPRI = 0x002;
export const POLLOUT = 0x004;
export const POLLERR = 0x008;
export const POLLHUP = 0x010;
export const POLLNVAL = 0x020;
export const POLLRDNORM = 0x040;
export const POLLWRNORM = 0x100;
export const POLLRDHUP = 0x2000;

/** epoll(7) events (the same bits as poll's) and flags. */
export const EPOLLIN = 0x001;
export const EPOLLPRI = 0x002;
export const EPOLLOUT = 0x004;
export const EPOLLERR = 0x008;
export const EPOLLHUP = 0x010;
export const EPOLLRDHUP = 0x2000;
export const EPOLLEXCLUSIVE = 1 << 28;
export const EPOLLONESHOT = 1 << 30;
/** Edge-triggered; the sign bit in C, kept as the same 32-bit pattern here (negative as an int32). */
export const EPOLLET = 1 << 31;
/** epoll_ctl(2) operations. */
export const EPOLL_CTL_ADD = 1;
export const EPOLL_CTL_DEL = 2;
export const EPOLL_CTL_MOD = 3;
/** epoll_create1(2)'s flag. */
export const EPOLL_CLOEXEC = 0o2000000;

/** getrlimit(2) resources. */
export const RLIMIT_NOFILE = 7;
/** The default soft limit of open files (ulimit -n). */
export const DEFAULT_NOFILE = 1024;

/** The largest int (INT_MAX), where Linux bounds integer options. */
export const INT_MAX = 0x7fff_ffff;

// The errno values the AIO layer returns, with Linux's numbers. posix/errno.ts will own the
// project's one errno table; until it exists these live here, and will be re-exported from it.

/** I/O error; also lio_listio(LIO_WAIT)'s answer when an element failed. */
export const EIO = 5;
/** Bad file descriptor. */
export const EBADF = 9;
/** Resources temporarily unavailable: the request queue is full (aio_num). */
export const EAGAIN = 11;
/** Illegal seek: pread/pwrite on a pipe or socket (the helper then reads/writes without an offset). */
export const ESPIPE = 29;
/** Invalid argument. */
export const EINVAL = 22;
/** Value too large: aio_offset + aio_nbytes past 2^53 - 1. */
export const EOVERFLOW = 75;
/** Operation in progress: aio_error's answer while a request is pending. */
export const EINPROGRESS = 115;
/** Operation canceled: aio_error's answer for a request aio_cancel removed. */
export const ECANCELED = 125;

/** Return the name of an AIO errno value ("EAGAIN"), or "E?<n>" for one not listed here. */
export function aioErrnoName(errno: number): string {
  switch (errno < 0 ? -errno : errno) {
    case EIO: return 'EIO';
    case EBADF: return 'EBADF';
    case EAGAIN: return 'EAGAIN';
    case EINVAL: return 'EINVAL';
    case ESPIPE: return 'ESPIPE';
    case EOVERFLOW: return 'EOVERFLOW';
    case EINPROGRESS: return 'EINPROGRESS';
    case ECANCELED: return 'ECANCELED';
    default: return `E?${errno}`;
  }
}

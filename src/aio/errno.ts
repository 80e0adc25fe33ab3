// The errno values the AIO layer returns, with Linux's numbers, re-exported from the
// project's one table (src/errno.ts).

import { errnoName } from '../errno.js';

export { EAGAIN, EBADF, ECANCELED, EFBIG, EINPROGRESS, EINTR, EINVAL, EIO, EOVERFLOW, ESPIPE } from '../errno.js';

/** Return the name of an errno value ("EAGAIN"), or "E?<n>" for one not in the table. */
export function aioErrnoName(errno: number): string {
  return errnoName(errno);
}

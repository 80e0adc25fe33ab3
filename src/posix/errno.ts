// The errno convention of the POSIX layer: every call returns n >= 0 or -errno with
// Linux's numbers (the one table lives in src/errno.ts, re-exported here), and the
// mapping from the result codes of the layers below (TcpErr, IpErr) to errno numbers.

import { errnoNumber } from '../errno.js';
import { ipErrErrno } from '../iface/errors.js';
import { tcpErrErrno } from '../transport/tcp/errors.js';

export * from '../errno.js';

// Indexed by code; built once from the layers' own name tables, so a new code there maps here.
const TCP_ERRNO: number[] = [];
const IP_ERRNO: number[] = [];
for (let c = 0; c < 32; c++) {
  TCP_ERRNO[c] = errnoNumber(tcpErrErrno(c)) || errnoNumber('EIO');
  IP_ERRNO[c] = errnoNumber(ipErrErrno(c)) || errnoNumber('EIO');
}

/** Return the errno number (positive) for a TcpErr code, negated or not (0 for Ok). */
export function tcpErrno(code: number): number {
  const c = code < 0 ? -code : code;
  if (c === 0) return 0;
  return TCP_ERRNO[c] ?? errnoNumber('EIO');
}

/** Return the errno number (positive) for an IpErr code, negated or not (0 for Ok). */
export function ipErrno(code: number): number {
  const c = code < 0 ? -code : code;
  if (c === 0) return 0;
  return IP_ERRNO[c] ?? errnoNumber('EIO');
}

// The AIO control block (struct aiocb of <aio.h>) and the constants of <aio.h> and
// <signal.h> that go with it, with glibc's values on Linux.

import { constants as fsConstants } from 'node:fs';

/** aio_cancel(3): every named request was canceled. */
export const AIO_CANCELED = 0;
/** aio_cancel(3): at least one request was already running and could not be canceled. */
export const AIO_NOTCANCELED = 1;
/** aio_cancel(3): every named request had already completed (or none existed). */
export const AIO_ALLDONE = 2;

/** lio_listio(3) opcode: read. */
export const LIO_READ = 0;
/** lio_listio(3) opcode: write. */
export const LIO_WRITE = 1;
/** lio_listio(3) opcode: skip this entry. */
export const LIO_NOP = 2;
/** lio_listio(3) mode: return when every request completed. */
export const LIO_WAIT = 0;
/** lio_listio(3) mode: return once queued; notify by the list's sigevent. */
export const LIO_NOWAIT = 1;

/** sigevent: deliver a "signal" (an event on the AIO context). */
export const SIGEV_SIGNAL = 0;
/** sigevent: no notification. */
export const SIGEV_NONE = 1;
/** sigevent: call sigev_notify_function(sigev_value). */
export const SIGEV_THREAD = 2;

/** aio_fsync(3) operation: complete like fsync(2). */
export const O_SYNC: number = fsConstants.O_SYNC ?? 0o4010000;
/** aio_fsync(3) operation: complete like fdatasync(2). */
export const O_DSYNC: number = fsConstants.O_DSYNC ?? 0o10000;

/** Largest aio_reqprio (glibc's AIO_PRIO_DELTA_MAX). */
export const AIO_PRIO_DELTA_MAX = 20;

/** How a request tells its completion (struct sigevent, the fields AIO uses). */
export interface Sigevent {
  sigev_notify: number;
  /** The signal number SIGEV_SIGNAL delivers (reported with the event). */
  sigev_signo: number;
  /** The value handed to the notification. */
  sigev_value: unknown;
  /** The function SIGEV_THREAD calls. */
  sigev_notify_function: ((value: unknown) => void) | null;
}

/**
 * An asynchronous I/O control block. The `__error_code` and `__return_value` fields are the
 * request's status, kept in the block itself as glibc keeps them; read them through
 * aioError/aioReturn only.
 */
export interface Aiocb {
  aio_fildes: number;
  aio_offset: number;
  /** The data: a Uint8Array over a SharedArrayBuffer (helpers read and write it in place). */
  aio_buf: Uint8Array | null;
  aio_nbytes: number;
  aio_reqprio: number;
  aio_sigevent: Sigevent;
  aio_lio_opcode: number;
  /**
   * 0 done (or never submitted: 0 in a zeroed block, as memset leaves glibc's), EINPROGRESS
   * pending, else the errno value.
   */
  __error_code: number;
  /**
   * Bytes transferred or -errno (where glibc stores -1 and leaves the errno in __error_code);
   * 0 while pending and in a block never submitted.
   */
  __return_value: number;
}

/** Return a sigevent that notifies nothing. */
export function newSigevent(): Sigevent {
  return { sigev_notify: SIGEV_NONE, sigev_signo: 0, sigev_value: undefined, sigev_notify_function: null };
}

/** Return a zeroed control block with `fields` set (memset(&cb, 0, sizeof cb) and fill in). */
export function newAiocb(fields: Partial<Omit<Aiocb, '__error_code' | '__return_value'>> = {}): Aiocb {
  return {
    aio_fildes: fields.aio_fildes ?? -1,
    aio_offset: fields.aio_offset ?? 0,
    aio_buf: fields.aio_buf ?? null,
    aio_nbytes: fields.aio_nbytes ?? 0,
    aio_reqprio: fields.aio_reqprio ?? 0,
    aio_sigevent: fields.aio_sigevent ?? newSigevent(),
    aio_lio_opcode: fields.aio_lio_opcode ?? LIO_NOP,
    __error_code: 0,
    __return_value: 0,
  };
}

// The `strace -c` summary: calls, errors and time per system call, printed in strace's
// layout (sorted by time, most first; equal times in x86-64 syscall-number order, as
// strace lists them):
//
//   % time     seconds  usecs/call     calls    errors syscall
//   ------ ----------- ----------- --------- --------- ----------------
//    62.50    0.000050          25         2         1 accept4
//
// Time is measured on the kernel's clock from a call's start to its end, so it is the
// wall time of the call (strace's -w), including a blocking call's wait; on a virtual
// clock a synchronous call takes no time.

/** x86-64 system call numbers of the calls we trace: strace's order for rows with equal time. */
const SYSCALL_NUMBER: Readonly<Record<string, number>> = {
  close: 3, poll: 7, dup: 32, socket: 41, connect: 42, accept: 43, sendto: 44, recvfrom: 45, shutdown: 48, bind: 49, listen: 50,
  getsockname: 51, getpeername: 52, setsockopt: 54, getsockopt: 55, fcntl: 72, getrlimit: 97, setrlimit: 160, epoll_wait: 232,
  epoll_ctl: 233, accept4: 288, epoll_create1: 291,
};

/** One row of the summary. */
export interface SummaryRow {
  readonly syscall: string;
  calls: number;
  errors: number;
  /** Total time in the call, in milliseconds. */
  timeMs: number;
}

/** Counts per system call. */
export class SyscallSummary {
  private readonly rows = new Map<string, SummaryRow>();

  /** Count one call of `syscall` that took `ms` and failed or not. */
  add(syscall: string, ms: number, failed: boolean): void {
    let r = this.rows.get(syscall);
    if (r === undefined) {
      r = { syscall, calls: 0, errors: 0, timeMs: 0 };
      this.rows.set(syscall, r);
    }
    r.calls++;
    if (failed) r.errors++;
    r.timeMs += ms > 0 ? ms : 0;
  }

  /** Return the rows in strace's order. */
  list(): SummaryRow[] {
    return [...this.rows.values()].sort(
      (a, b) => b.timeMs - a.timeMs || (SYSCALL_NUMBER[a.syscall] ?? 1e6) - (SYSCALL_NUMBER[b.syscall] ?? 1e6) || (a.syscall < b.syscall ? -1 : 1),
    );
  }

  /** Forget every count. */
  clear(): void {
    this.rows.clear();
  }

  /** Return the table as `strace -c` prints it. */
  format(): string {
    const rows = this.list();
    const total = rows.reduce((s, r) => s + r.timeMs, 0);
    const calls = rows.reduce((s, r) => s + r.calls, 0);
    const errors = rows.reduce((s, r) => s + r.errors, 0);
    const lines = [
      `${'% time'.padStart(6)} ${'seconds'.padStart(11)} ${'usecs/call'.padStart(11)} ${'calls'.padStart(9)} ${'errors'.padStart(9)} syscall`,
      DASHES,
    ];
    for (const r of rows) {
      const pct = total > 0 ? (100 * r.timeMs) / total : 0;
      lines.push(`${pct.toFixed(2).padStart(6)} ${secs(r.timeMs)} ${usecsPerCall(r.timeMs, r.calls)} ${String(r.calls).padStart(9)} ${errs(r.errors)} ${r.syscall}`);
    }
    lines.push(DASHES);
    lines.push(`${'100.00'.padStart(6)} ${secs(total)} ${usecsPerCall(total, calls)} ${String(calls).padStart(9)} ${errs(errors)} total`);
    return lines.join('\n') + '\n';
  }
}

const DASHES = '------ ----------- ----------- --------- --------- ----------------';

function secs(ms: number): string {
  return (ms / 1000).toFixed(6).padStart(11);
}

function usecsPerCall(ms: number, calls: number): string {
  return String(calls > 0 ? Math.floor((ms * 1000) / calls) : 0).padStart(11);
}

/** `%9.u`: blank for zero. */
function errs(n: number): string {
  return (n === 0 ? '' : String(n)).padStart(9);
}

// The `strace -c` summary: calls, errors and time per system call, printed in strace's
// layout (sorted by time, most first; equal times in x86-64 syscall-number order, as
// strace lists them):
//
//   % time     seconds  usecs/call     calls    errors syscall
//   ------ ----------- ----------- --------- --------- ----------------
//    62.50    0.000050          25         2         1 accept4
//
// Columns are as wide as strace makes them: at least the historical widths (11, 11, 9, 9,
// 16), wider when a total needs it (strace 6.1's count.c sizes them from the largest value).
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
    // Widths: a column is as wide as its header's historical width or its widest value,
    // whichever is more (the seconds of the total, the largest usecs/call, the call and
    // error totals, the longest name plus one).
    const wSec = Math.max(11, secs(total).length);
    const wUs = Math.max(11, ...rows.map((r) => String(usecs(r.timeMs, r.calls)).length));
    const wCalls = Math.max(9, String(calls).length);
    const wErr = Math.max(9, String(errors).length);
    const wName = Math.max(16, ...rows.map((r) => r.syscall.length + 1));
    const dashes = ['-'.repeat(6), '-'.repeat(wSec), '-'.repeat(wUs), '-'.repeat(wCalls), '-'.repeat(wErr), '-'.repeat(wName)].join(' ');
    const line = (pct: number, ms: number, us: number, n: number, e: number, name: string): string =>
      `${pct.toFixed(2).padStart(6)} ${secs(ms).padStart(wSec)} ${String(us).padStart(wUs)} ${String(n).padStart(wCalls)} ${(e === 0 ? '' : String(e)).padStart(wErr)} ${name}`;
    const lines = [`${'% time'.padStart(6)} ${'seconds'.padStart(wSec)} ${'usecs/call'.padStart(wUs)} ${'calls'.padStart(wCalls)} ${'errors'.padStart(wErr)} syscall`, dashes];
    for (const r of rows) lines.push(line(total > 0 ? (100 * r.timeMs) / total : 0, r.timeMs, usecs(r.timeMs, r.calls), r.calls, r.errors, r.syscall));
    lines.push(dashes);
    lines.push(line(100, total, usecs(total, calls), calls, errors, 'total'));
    return lines.join('\n') + '\n';
  }
}

/** Return milliseconds as strace's `%.6f` seconds. */
function secs(ms: number): string {
  return (ms / 1000).toFixed(6);
}

/** Return the whole microseconds per call (strace truncates). */
function usecs(ms: number, calls: number): number {
  return calls > 0 ? Math.floor((ms * 1000) / calls) : 0;
}

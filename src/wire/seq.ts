// Wrap-safe 32-bit sequence-number arithmetic (RFC 9293 §3.4: "all arithmetic dealing with
// sequence numbers must be performed modulo 2**32"). Only this file compares sequence numbers.

/** Return `a + n` modulo 2^32. */
export function seqAdd(a: number, n: number): number {
  return (a + n) >>> 0;
}

/** Return the signed distance from `b` to `a` (a - b), in [-2^31, 2^31). */
export function seqDiff(a: number, b: number): number {
  return (a - b) | 0;
}

/** Return true when `a` comes before `b`. */
export function seqLt(a: number, b: number): boolean {
  return ((a - b) | 0) < 0;
}

/** Return true when `a` comes before or equals `b`. */
export function seqLe(a: number, b: number): boolean {
  return ((a - b) | 0) <= 0;
}

/** Return true when `a` comes after `b`. */
export function seqGt(a: number, b: number): boolean {
  return ((a - b) | 0) > 0;
}

/** Return true when `a` comes after or equals `b`. */
export function seqGe(a: number, b: number): boolean {
  return ((a - b) | 0) >= 0;
}

/** Return true when `start <= s < start + len` in sequence space (`len` may be 0: false). */
export function seqInWindow(s: number, start: number, len: number): boolean {
  return ((s - start) >>> 0) < len;
}

/** Return the later of two sequence numbers. */
export function seqMax(a: number, b: number): number {
  return seqGt(a, b) ? a : b;
}

/** Return the earlier of two sequence numbers. */
export function seqMin(a: number, b: number): number {
  return seqLt(a, b) ? a : b;
}

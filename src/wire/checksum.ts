// The Internet checksum (RFC 1071) and its incremental update (RFC 1624).
// Sums are kept as plain numbers and folded at the end: a JS number holds an exact sum of
// 2^37 sixteen-bit words, far more than any frame.


/**
 * Return the one's-complement sum (not yet folded, not inverted) of `len` bytes at `off`,
 * added to `initial`. An odd trailing byte is padded with zero (RFC 1071 §4.1).
 */
export function sumBytes(b: Uint8Array, off: number, len: number, initial = 0): number {
  let sum = initial;
  const end = off + (len & ~1);
  let i = off;
  for (; i < end; i += 2) sum += (b[i]! << 8) | b[i + 1]!;
  if (len & 1) sum += b[i]! << 8;
  return sum;
}

/** Fold a one's-complement sum to 16 bits. */
export function foldSum(sum: number): number {
  while (sum > 0xffff) sum = (sum & 0xffff) + Math.floor(sum / 0x10000);
  return sum;
}

/** Return the Internet checksum (folded and inverted) of `len` bytes at `off`. */
export function internetChecksum(b: Uint8Array, off: number, len: number, initial = 0): number {
  return ~foldSum(sumBytes(b, off, len, initial)) & 0xffff;
}

/**
 * Return the partial sum of the IPv4 pseudo-header (RFC 9293 §3.1, RFC 768) for a
 * transport segment of `len` bytes: source, destination, zero, protocol, length.
 */
export function pseudoHeaderSum(src: number, dst: number, protocol: number, len: number): number {
  return (src >>> 16) + (src & 0xffff) + (dst >>> 16) + (dst & 0xffff) + protocol + len;
}

/**
 * Return checksum `hc` updated for one 16-bit field changing from `oldWord` to `newWord`,
 * by RFC 1624 eqn. 3: HC' = ~(~HC + ~m + m'). This form avoids the -0 (0x0000 vs 0xffff)
 * mistake that RFC 1624 corrects in RFC 1141's eqn. 2.
 */
export function checksumUpdate16(hc: number, oldWord: number, newWord: number): number {
  const sum = (~hc & 0xffff) + (~oldWord & 0xffff) + (newWord & 0xffff);
  return ~foldSum(sum) & 0xffff;
}

/** Return checksum `hc` updated for a 32-bit field (an address) changing value. */
export function checksumUpdate32(hc: number, oldValue: number, newValue: number): number {
  const sum =
    (~hc & 0xffff) +
    (~(oldValue >>> 16) & 0xffff) +
    (~oldValue & 0xffff) +
    (newValue >>> 16) +
    (newValue & 0xffff);
  return ~foldSum(sum) & 0xffff;
}

/** Return true when `len` bytes at `off` (checksum field included) verify, with `initial` added. */
export function checksumOk(b: Uint8Array, off: number, len: number, initial = 0): boolean {
  return foldSum(sumBytes(b, off, len, initial)) === 0xffff;
}


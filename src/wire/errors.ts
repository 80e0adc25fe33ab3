// Result codes of the wire layer: small integers, 0 = ok. Parsers return one of these and
// never throw. Codes are permanent; add new ones at the end.

export const WireErr = {
  Ok: 0,
  /** The buffer is shorter than the header (or the length a header field claims). */
  Truncated: 1,
  /** A version field holds a value we do not parse (IPv4 version != 4, ARP hardware type...). */
  BadVersion: 2,
  /** A header-length field is below the minimum or points past the buffer (IHL, data offset). */
  BadHeaderLen: 3,
  /** A total-length field disagrees with the bytes present. */
  BadLength: 4,
  /** The checksum does not verify. */
  BadChecksum: 5,
  /** An option has length 0, 1, or runs past the header. */
  BadOption: 6,
  /** Well-formed but not something this layer handles. */
  Unsupported: 7,
  /** A field holds a value the protocol forbids. */
  Malformed: 8,
} as const;

export type WireErrCode = (typeof WireErr)[keyof typeof WireErr];

const names: readonly string[] = Object.keys(WireErr);

/** Return the name of a wire result code ("Truncated"), for counters and messages. */
export function wireErrName(code: number): string {
  return names[code] ?? `WireErr(${code})`;
}

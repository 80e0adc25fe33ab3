// Result codes of the storage layer (byte ring, assembler, timer wheel): small integers,
// 0 = ok. Operations return one of these and never throw; only constructors given impossible
// sizes throw a RangeError. Codes are permanent; add new ones at the end.

export const StoreErr = {
  Ok: 0,
  /** The assembler would need more holes than it was built to track: the range was not added. */
  TooManyHoles: 1,
  /** An argument is out of range (a negative length, an offset past the capacity). */
  BadArg: 2,
} as const;

export type StoreErrCode = (typeof StoreErr)[keyof typeof StoreErr];

const names: readonly string[] = Object.keys(StoreErr);

/** Return the name of a storage result code ("TooManyHoles"), for counters and messages. */
export function storeErrName(code: number): string {
  return names[code] ?? `StoreErr(${code})`;
}

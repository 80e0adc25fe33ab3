// The re-pointable base of every wire view: a byte array, an offset and a length, set by
// `wrap` once per packet. Subclasses add the protocol's field accessors and `checkLen`.

const EMPTY = new Uint8Array(0);

/** A window onto packet bytes that can be re-pointed without allocating. */
export class WireView {
  bytes: Uint8Array = EMPTY;
  offset = 0;
  length = 0;

  /** Point the view at `length` bytes of `bytes` from `offset`; return this. */
  wrap(bytes: Uint8Array, offset: number, length: number): this {
    this.bytes = bytes;
    this.offset = offset;
    this.length = length;
    return this;
  }
}

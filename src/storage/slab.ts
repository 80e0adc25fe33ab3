// Small typed arrays for per-connection state, carved out of shared 64 KiB slabs.
//
// A typed array made with `new Uint8Array(n)` / `new Float64Array(n)` gets a backing store of
// its own: 0.3-1.2 us each on this project's 2-vCPU EPYC (Node 20 and 24), and a connection
// made six of them as it opened (two byte rings, the assembler's three arrays, the SACK
// scoreboard's two). A view of an existing ArrayBuffer costs 13-30 ns. A slab goes when
// the last array in it is collected (or waits to be reused, below), so a long-lived
// connection keeps at most one slab (64 KiB) alive per slice it holds, what one 64 KiB ring
// took before. Each slice starts on its own 64-byte line. Fresh slabs are zeroed, as `new`
// arrays are.
//
// A byte slice whose holder is done with it can be given back (releaseSlabBytes): the next
// slabBytes of the same size takes it, zeroed, before cutting the slab further. Byte rings
// give theirs back when they enlarge and when a connection closes, so a host that opens
// and closes connections reuses the same few slices instead of making a slab per six or so
// connections (`take` and the collector were 16 % of the connection-rate bench's profile).
// At most FREE_MAX slices of each size wait; more are left to the collector.

const SLAB_BYTES = 65536;
/** The largest slice; bigger arrays get a store of their own. */
export const SLAB_SLICE_MAX = 16384;

let slab: ArrayBuffer | null = null;
let used = SLAB_BYTES;
/** Byte slices given back, by length. */
const freeBytes = new Map<number, Uint8Array[]>();
const FREE_MAX = 1024;

/** Return the byte offset of a fresh `bytes`-byte slice in `slab`. */
function take(bytes: number): number {
  if (slab === null || used + bytes > SLAB_BYTES) {
    slab = new ArrayBuffer(SLAB_BYTES);
    used = 0;
  }
  const at = used;
  used += (bytes + 63) & ~63;
  return at;
}

/** A zeroed Uint8Array of `n` bytes (n <= SLAB_SLICE_MAX; 0 gives an empty array). */
export function slabBytes(n: number): Uint8Array {
  if (n === 0) return new Uint8Array(0);
  if (n > SLAB_SLICE_MAX) return new Uint8Array(n);
  const list = freeBytes.get(n);
  if (list !== undefined && list.length > 0) return list.pop()!.fill(0);
  const at = take(n);
  return new Uint8Array(slab!, at, n);
}

/** A zeroed Float64Array of `n` elements (8n <= SLAB_SLICE_MAX). */
export function slabFloat64(n: number): Float64Array {
  if (n === 0) return new Float64Array(0);
  if (8 * n > SLAB_SLICE_MAX) return new Float64Array(n);
  const at = take(8 * n);
  return new Float64Array(slab!, at, n);
}

/**
 * Give back `a`, an array slabBytes returned, for a later slabBytes of its length to reuse.
 * The caller must drop every reference to it (and give it back once). Arrays that are not
 * slab slices (empty, larger than SLAB_SLICE_MAX) are left to the collector.
 */
export function releaseSlabBytes(a: Uint8Array): void {
  const n = a.length;
  if (n === 0 || n > SLAB_SLICE_MAX || a.buffer.byteLength !== SLAB_BYTES) return;
  let list = freeBytes.get(n);
  if (list === undefined) freeBytes.set(n, (list = []));
  if (list.length < FREE_MAX) list.push(a);
}

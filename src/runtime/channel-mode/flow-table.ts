// The driver's classifier tables: which process owns a TCP flow, and which processes hold a
// port (the listeners sharing it with SO_REUSEPORT semantics, or the one process whose
// ephemeral port it is). Both are flat typed arrays: a lookup allocates nothing.
//
// The flow table is open addressing with linear probing over (remote address, remote port,
// local port): the local address is the one address every process shares. Deletion
// shifts the following entries back (Knuth's algorithm R), so there are no tombstones and
// a probe never runs longer than the cluster it lands in.

/** Most processes a channel-mode host can run (a port's members are a 31-bit mask). */
export const MAX_PROCS = 31;

/** Return a 32-bit hash of a flow (the SO_REUSEPORT pick and the table slot both use it). */
export function flowHash(remoteAddr: number, remotePort: number, localPort: number): number {
  let h = Math.imul(remoteAddr ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul((remotePort << 16) | localPort, 0xc2b2ae35);
  h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d);
  return (h ^ (h >>> 13)) >>> 0;
}

/** Flows and ports of the processes of one channel-mode host. */
export class FlowTable {
  /** Slots in the flow table (a power of two). */
  readonly capacity: number;
  private readonly mask: number;
  private readonly addr: Uint32Array;
  private readonly ports: Uint32Array;
  /** Owner process + 1 of each slot; 0: empty. */
  private readonly owner: Uint8Array;
  private count = 0;
  /** Per port: the bit mask of the processes holding it. */
  private readonly members = new Uint32Array(65536);
  /** Per process and port: how many of its sockets hold the port. */
  private readonly refs: Uint16Array[] = [];

  /** Make a table of `capacity` slots (a power of two) for up to `procs` processes. */
  constructor(capacity: number, procs: number) {
    if (!(capacity >= 2) || (capacity & (capacity - 1)) !== 0) throw new RangeError(`FlowTable: capacity ${capacity} is not a power of two`);
    if (!(procs >= 1 && procs <= MAX_PROCS)) throw new RangeError(`FlowTable: ${procs} processes (1..${MAX_PROCS})`);
    this.capacity = capacity;
    this.mask = capacity - 1;
    this.addr = new Uint32Array(capacity);
    this.ports = new Uint32Array(capacity);
    this.owner = new Uint8Array(capacity);
    for (let p = 0; p < procs; p++) this.refs.push(new Uint16Array(65536));
  }

  /** Return the number of flows. */
  get size(): number {
    return this.count;
  }

  /** Return the owner of a flow, or -1. */
  lookup(remoteAddr: number, remotePort: number, localPort: number): number {
    const key = ((remotePort << 16) | localPort) >>> 0;
    for (let i = flowHash(remoteAddr, remotePort, localPort) & this.mask; ; i = (i + 1) & this.mask) {
      const o = this.owner[i]!;
      if (o === 0) return -1;
      if (this.ports[i] === key && this.addr[i] === remoteAddr >>> 0) return o - 1;
    }
  }

  /** Record that `proc` owns a flow; return false when the table is full. */
  add(remoteAddr: number, remotePort: number, localPort: number, proc: number): boolean {
    const key = ((remotePort << 16) | localPort) >>> 0;
    let i = flowHash(remoteAddr, remotePort, localPort) & this.mask;
    for (; this.owner[i] !== 0; i = (i + 1) & this.mask) {
      if (this.ports[i] === key && this.addr[i] === remoteAddr >>> 0) {
        this.owner[i] = proc + 1;
        return true;
      }
    }
    if (this.count >= this.capacity - (this.capacity >>> 3)) return false; // keep 1/8 empty: probes stay short
    this.addr[i] = remoteAddr >>> 0;
    this.ports[i] = key;
    this.owner[i] = proc + 1;
    this.count++;
    return true;
  }

  /** Remove a flow when `proc` owns it (-1: whoever owns it); return whether one was removed. */
  remove(remoteAddr: number, remotePort: number, localPort: number, proc = -1): boolean {
    const key = ((remotePort << 16) | localPort) >>> 0;
    for (let i = flowHash(remoteAddr, remotePort, localPort) & this.mask; ; i = (i + 1) & this.mask) {
      const o = this.owner[i]!;
      if (o === 0) return false;
      if (this.ports[i] === key && this.addr[i] === remoteAddr >>> 0) {
        if (proc >= 0 && o !== proc + 1) return false;
        this.deleteAt(i);
        return true;
      }
    }
  }

  /** Empty slot `i` and shift later members of its cluster back (no tombstones). */
  private deleteAt(i: number): void {
    const m = this.mask;
    this.owner[i] = 0;
    this.count--;
    for (let j = (i + 1) & m; this.owner[j] !== 0; j = (j + 1) & m) {
      const home = flowHash(this.addr[j]!, this.ports[j]! >>> 16, this.ports[j]! & 0xffff) & m;
      // Move j into the hole when its home is not in the cyclic range (i, j].
      const inRange = i <= j ? home > i && home <= j : home > i || home <= j;
      if (inRange) continue;
      this.addr[i] = this.addr[j]!;
      this.ports[i] = this.ports[j]!;
      this.owner[i] = this.owner[j]!;
      this.owner[j] = 0;
      i = j;
    }
  }

  /** Remove every flow and port of `proc` (it exited); return how many flows went. */
  removeProc(proc: number): number {
    let n = 0;
    for (let i = 0; i < this.capacity; ) {
      if (this.owner[i] === proc + 1) {
        this.deleteAt(i); // may shift another entry into i: look at i again
        n++;
      } else {
        i++;
      }
    }
    const refs = this.refs[proc]!;
    const bit = ~(1 << proc);
    for (let port = 0; port < 65536; port++) {
      if (refs[port] !== 0) {
        refs[port] = 0;
        this.members[port]! &= bit;
      }
    }
    return n;
  }

  /** Record that a socket of `proc` holds `port`. */
  addPort(port: number, proc: number): void {
    const refs = this.refs[proc]!;
    if (refs[port]!++ === 0) this.members[port]! |= 1 << proc;
  }

  /** Record that a socket of `proc` gave `port` back. */
  removePort(port: number, proc: number): void {
    const refs = this.refs[proc]!;
    if (refs[port] === 0) return;
    if (--refs[port]! === 0) this.members[port]! &= ~(1 << proc);
  }

  /** Return the bit mask of the processes holding `port`. */
  portMembers(port: number): number {
    return this.members[port]!;
  }

  /**
   * Return the process a new flow to `localPort` goes to: one of the port's members picked
   * by the flow's hash (SO_REUSEPORT), or -1 when no process holds the port.
   */
  pickForPort(remoteAddr: number, remotePort: number, localPort: number): number {
    const m = this.members[localPort]!;
    if (m === 0) return -1;
    if ((m & (m - 1)) === 0) return 31 - Math.clz32(m);
    let k = flowHash(remoteAddr, remotePort, localPort) % popcount(m);
    for (let p = 0; p < MAX_PROCS; p++) {
      if ((m & (1 << p)) === 0) continue;
      if (k-- === 0) return p;
    }
    return -1;
  }
}

function popcount(x: number): number {
  x = x - ((x >>> 1) & 0x55555555);
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return (Math.imul((x + (x >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24);
}

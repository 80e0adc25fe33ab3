// TCP NAT: a guest's connection to any address but the gateway's own services becomes a
// Node `net` connection from the host, and the two are relayed byte for byte.
//
// The handshake is the host's (gVisor's tcp.Forwarder shape): the guest's SYN reaches the
// TCP layer's forwarder hook (TcpLayer.forwarder) with no socket for it; we check the
// egress policy and the guest's limits, then `net.connect` to the destination. Only when
// the host's handshake completes does the guest get its SYN-ACK (acceptForwarded, from the
// original destination address and port); a refusal is answered with a RST, an
// unreachable host or a connect timeout with ICMP host unreachable, so the guest learns the
// outcome within one round trip of the host's. Retransmitted SYNs while the host connects
// are absorbed.
//
// Relay (TcpFlow): guest → host, bytes read from the stack socket are written to the Node
// socket; when its buffer passes its high-water mark we stop reading, so the stack's
// receive window closes on the guest. Host → guest, the Node socket's chunks go into the
// stack socket's send buffer; what does not fit is held (one chunk) and the Node socket is
// paused until the stack socket is writable again. Memory per flow is therefore bounded by
// the two stack buffers, one chunk and Node's high-water mark. A FIN either way is
// passed on as a half-close (end()/shutdown(SHUT_WR)); a RST either way becomes a RST on
// the other side (resetAndDestroy()/abort()). A flow ends when both directions have
// ended or either side reset, and its counts are released then.

import { type Socket, connect } from 'node:net';
import type { Millis } from '../time.js';
import { ICMP_HOST_UNREACH, ICMP_NET_UNREACH } from '../wire/icmpv4.js';
import { IPPROTO_TCP, ipv4ToString } from '../wire/ipv4.js';
import { seqAdd } from '../wire/seq.js';
import { type TcpRepr, newTcpRepr } from '../wire/tcp.js';
import { TcpErr } from '../transport/tcp/errors.js';
import type { TcpLayer, TcpSynForwarder } from '../transport/tcp/layer.js';
import { SHUT_WR, TcpEvent, type TcpSocket } from '../transport/tcp/socket.js';
import { TcpState } from '../transport/tcp/state.js';
import { type NatContext, type NatFlowInfo, endpoint } from './nat.js';

/** The largest chunk read from a stack socket at once. */
const READ_CHUNK = 64 * 1024;

/** The TCP half of the NAT: the layer's SYN forwarder, and every relaying flow. */
export class TcpNat implements TcpSynForwarder {
  /** Flows waiting for their host connect, by 4-tuple key. */
  private readonly pending = new Map<string, PendingConnect>();
  private readonly halfOpenByGuest = new Map<number, number>();
  /** Relaying flows. */
  readonly flows = new Set<TcpFlow>();
  private closed = false;

  constructor(
    readonly ctx: NatContext,
    readonly tcp: TcpLayer,
  ) {}

  /** The TcpSynForwarder hook: decide about a guest's SYN that no socket took. */
  onSyn(seg: Readonly<TcpRepr>, localAddr: number, remoteAddr: number, now: Millis): boolean {
    if (this.closed) return false;
    const ctx = this.ctx;
    const c = ctx.counters;
    const target = ctx.hostTarget(localAddr);
    if (target < 0) return false;
    const key = `${remoteAddr}:${seg.srcPort}>${localAddr}:${seg.dstPort}`;
    if (this.pending.has(key)) return true; // a retransmitted SYN: the host is still connecting
    if (!ctx.policy.allows(target)) {
      c.TcpDenied++;
      return false;
    }
    if (ctx.flowsOf(remoteAddr) >= ctx.cfg.maxFlows) {
      c.TcpFlowLimit++;
      return false;
    }
    const half = this.halfOpenByGuest.get(remoteAddr) ?? 0;
    if (half >= ctx.cfg.maxHalfOpen) {
      c.TcpHalfOpenDrops++;
      return true; // dropped: a SYN flood costs the guest its own retries, not a host socket each
    }
    this.halfOpenByGuest.set(remoteAddr, half + 1);
    ctx.addFlow(remoteAddr, 1);
    const syn = newTcpRepr();
    copySyn(seg, syn);
    const p = new PendingConnect(this, key, syn, localAddr, remoteAddr, target, now);
    this.pending.set(key, p);
    p.start();
    return true;
  }

  /** A pending connect finished (either way): forget it. */
  settled(p: PendingConnect, flowLives: boolean): void {
    this.pending.delete(p.key);
    const n = (this.halfOpenByGuest.get(p.guest) ?? 1) - 1;
    if (n <= 0) this.halfOpenByGuest.delete(p.guest);
    else this.halfOpenByGuest.set(p.guest, n);
    if (!flowLives) this.ctx.addFlow(p.guest, -1);
  }

  /** A flow ended: release its count. */
  ended(f: TcpFlow): void {
    if (!this.flows.delete(f)) return;
    this.ctx.counters.TcpFlows--;
    this.ctx.counters.TcpBytesOut += f.bytesOut;
    this.ctx.counters.TcpBytesIn += f.bytesIn;
    this.ctx.addFlow(f.guestAddr, -1);
  }

  /** Return how many connects are pending. */
  get pendingCount(): number {
    return this.pending.size;
  }

  /** Start relaying between an established-or-soon stack socket and a connected host socket. */
  relay(ts: TcpSocket, k: Socket, guestAddr: number, inbound: boolean): TcpFlow {
    const f = new TcpFlow(this, this.ctx, ts, k, guestAddr, inbound);
    this.flows.add(f);
    this.ctx.counters.TcpFlows++;
    f.start();
    return f;
  }

  /** Return the flows as `netch ss` lists them. */
  list(): NatFlowInfo[] {
    const out: NatFlowInfo[] = [];
    for (const p of this.pending.values()) {
      out.push({ proto: 'tcp', guest: endpoint(p.guest, p.syn.srcPort), remote: endpoint(p.dst, p.syn.dstPort), host: endpoint(p.target, p.syn.dstPort), bytesOut: 0, bytesIn: 0, state: 'CONNECTING', inbound: false });
    }
    for (const f of this.flows) out.push(f.info());
    return out;
  }

  /** Reset every flow and cancel every pending connect. */
  close(): void {
    this.closed = true;
    for (const p of [...this.pending.values()]) p.cancel();
    for (const f of [...this.flows]) f.reset();
  }
}

function copySyn(from: Readonly<TcpRepr>, to: TcpRepr): void {
  to.srcPort = from.srcPort;
  to.dstPort = from.dstPort;
  to.seqNumber = from.seqNumber;
  to.ackNumber = from.ackNumber;
  to.flags = from.flags;
  to.windowLen = from.windowLen;
  to.mss = from.mss;
  to.windowScale = from.windowScale;
  to.sackPermitted = from.sackPermitted;
  to.tsPresent = from.tsPresent;
  to.tsVal = from.tsVal;
  to.tsEcr = from.tsEcr;
}

/** A guest's SYN whose host connect is in progress. */
class PendingConnect {
  private sock: Socket | null = null;
  private done = false;

  constructor(
    private readonly nat: TcpNat,
    readonly key: string,
    readonly syn: TcpRepr,
    /** The guest's destination (the address the SYN-ACK comes from). */
    readonly dst: number,
    readonly guest: number,
    /** The host address connected to. */
    readonly target: number,
    readonly at: Millis,
  ) {}

  start(): void {
    const ctx = this.nat.ctx;
    const k = connect({ host: ipv4ToString(this.target), port: this.syn.dstPort, allowHalfOpen: true, noDelay: true });
    this.sock = k;
    k.setTimeout(ctx.cfg.connectTimeoutMs);
    k.once('timeout', () => this.fail('ETIMEDOUT'));
    k.once('error', (e: NodeJS.ErrnoException) => this.fail(e.code ?? 'EIO'));
    k.once('connect', () => this.connected());
  }

  cancel(): void {
    if (this.done) return;
    this.done = true;
    this.sock?.destroy();
    this.nat.settled(this, false);
  }

  private connected(): void {
    if (this.done) return;
    const k = this.sock!;
    k.setTimeout(0);
    const ctx = this.nat.ctx;
    const ts = this.nat.tcp.acceptForwarded(this.syn, this.dst, this.guest, ctx.now());
    this.done = true;
    if (ts === null) {
      k.destroy();
      this.nat.settled(this, false);
      return;
    }
    k.removeAllListeners('timeout');
    k.removeAllListeners('error');
    ctx.counters.TcpOpened++;
    this.nat.settled(this, true);
    this.nat.relay(ts, k, this.guest, false);
  }

  private fail(code: string): void {
    if (this.done) return;
    this.done = true;
    this.sock?.destroy();
    const ctx = this.nat.ctx;
    const syn = this.syn;
    if (code === 'ECONNREFUSED' || code === 'ECONNRESET') {
      ctx.counters.TcpRefused++;
      // RFC 9293 §3.10.7.1: <SEQ=0><ACK=SEG.SEQ+1><CTL=RST,ACK>, as a closed port answers.
      this.nat.tcp.sendRst(this.dst, syn.dstPort, this.guest, syn.srcPort, 0, seqAdd(syn.seqNumber, 1), true, ctx.now());
      this.nat.tcp.wake();
    } else {
      ctx.counters.TcpUnreachable++;
      ctx.sendUnreach(code === 'ENETUNREACH' ? ICMP_NET_UNREACH : ICMP_HOST_UNREACH, this.guest, syn.srcPort, this.dst, syn.dstPort, IPPROTO_TCP, syn.seqNumber);
      ctx.host.wake();
    }
    this.nat.settled(this, false);
  }
}

/** One relayed connection: a stack socket (the guest's side) and a Node socket (the host's). */
export class TcpFlow {
  bytesOut = 0;
  bytesIn = 0;
  readonly guestPort: number;
  readonly remoteAddr: number;
  readonly remotePort: number;
  /** Host → guest bytes that did not fit the stack socket's send buffer. */
  private held: Buffer | null = null;
  private heldOff = 0;
  /** The Node socket's write buffer is full: stop reading the stack socket. */
  private hostFull = false;
  private guestEof = false;
  private hostEof = false;
  private finSent = false;
  private over = false;
  private readonly onReadinessBound = (): void => this.onGuest();

  constructor(
    private readonly nat: TcpNat,
    private readonly ctx: NatContext,
    readonly ts: TcpSocket,
    readonly k: Socket,
    readonly guestAddr: number,
    readonly inbound: boolean,
  ) {
    this.guestPort = ts.remotePort;
    this.remoteAddr = ts.localAddr;
    this.remotePort = ts.localPort;
  }

  start(): void {
    const k = this.k;
    const ts = this.ts;
    ts.onReadiness = this.onReadinessBound;
    k.on('data', (chunk: Buffer) => this.fromHost(chunk));
    k.on('drain', () => {
      this.hostFull = false;
      this.onGuest();
    });
    k.on('end', () => {
      this.hostEof = true;
      this.maybeFin();
    });
    k.on('error', () => undefined);
    k.on('close', (hadError: boolean) => {
      if (this.over) return;
      // A host socket destroyed by an error (ECONNRESET) resets the guest's side.
      if (hadError || !this.hostEof) this.resetGuest();
      else this.checkDone();
    });
    this.onGuest();
  }

  /** Return the flow as `netch ss` lists it. */
  info(): NatFlowInfo {
    const k = this.k;
    return {
      proto: 'tcp',
      guest: endpoint(this.guestAddr, this.ts.remotePort),
      remote: endpoint(this.remoteAddr, this.remotePort),
      host: `${k.remoteAddress ?? '?'}:${k.remotePort ?? '?'}`,
      bytesOut: this.bytesOut,
      bytesIn: this.bytesIn,
      state: this.ts.stateName(),
      inbound: this.inbound,
    };
  }

  /** Reset both sides (gateway shutdown). */
  reset(): void {
    if (this.over) return;
    this.ts.abort(this.ctx.now());
    this.k.resetAndDestroy();
    this.finish(true);
  }

  /** The stack socket's readiness changed: move guest → host bytes, push held host → guest bytes, see errors. */
  private onGuest(): void {
    if (this.over) return;
    const ts = this.ts;
    const now = this.ctx.now();
    if (this.held !== null && (ts.readiness() & TcpEvent.Writable) !== 0) this.pushHeld(now);
    while (!this.hostFull && !this.guestEof) {
      const avail = ts.readable;
      const n0 = avail > 0 ? Math.min(avail, READ_CHUNK) : 1;
      const buf = avail > 0 ? Buffer.allocUnsafe(n0) : SCRATCH;
      const n = ts.recv(buf, 0, n0, now);
      if (n > 0) {
        this.bytesOut += n;
        if (!this.k.write(n === buf.length ? buf : buf.subarray(0, n))) this.hostFull = true;
        continue;
      }
      if (n === 0) {
        // The guest's FIN: half-close the host side.
        this.guestEof = true;
        this.k.end();
        this.checkDone();
        break;
      }
      if (n === -TcpErr.WouldBlock) break;
      // Reset, timed out, aborted: the host side gets a RST.
      this.ctx.counters.TcpResets++;
      this.k.resetAndDestroy();
      this.finish(false);
      return;
    }
    if (ts.state === TcpState.Closed && !this.over && (!ts.wasEstablished || (ts.readiness() & TcpEvent.Error) !== 0)) {
      this.ctx.counters.TcpResets++;
      this.k.resetAndDestroy();
      this.finish(false);
    }
  }

  /** A chunk from the host: into the stack socket's send buffer, holding what does not fit. */
  private fromHost(chunk: Buffer): void {
    if (this.over) return;
    this.bytesIn += chunk.length;
    if (this.held !== null) {
      // Cannot happen while paused, but a chunk already read may arrive: append it.
      this.held = Buffer.concat([this.held.subarray(this.heldOff), chunk]);
      this.heldOff = 0;
      return;
    }
    const now = this.ctx.now();
    const n = this.ts.send(chunk, 0, chunk.length, now);
    if (n === chunk.length) return;
    if (n < 0 && n !== -TcpErr.WouldBlock) {
      this.ctx.counters.TcpResets++;
      this.k.resetAndDestroy();
      this.ts.abort(now);
      this.finish(false);
      return;
    }
    this.held = chunk;
    this.heldOff = n > 0 ? n : 0;
    this.k.pause();
  }

  private pushHeld(now: Millis): void {
    const h = this.held!;
    const n = this.ts.send(h, this.heldOff, h.length - this.heldOff, now);
    if (n > 0) this.heldOff += n;
    if (this.heldOff >= h.length) {
      this.held = null;
      this.heldOff = 0;
      this.k.resume();
      this.maybeFin();
    }
  }

  /** The host ended its side: once its bytes are all in the send buffer, send the guest a FIN. */
  private maybeFin(): void {
    if (this.over || !this.hostEof || this.held !== null || this.finSent) return;
    this.finSent = true;
    this.ts.shutdown(SHUT_WR, this.ctx.now());
    this.checkDone();
  }

  private resetGuest(): void {
    this.ctx.counters.TcpResets++;
    this.ts.abort(this.ctx.now());
    this.finish(false);
  }

  private checkDone(): void {
    if (this.guestEof && this.finSent) {
      // Both directions ended: the stack socket finishes its closing states on its own.
      this.ts.onReadiness = null;
      this.ts.close(this.ctx.now());
      this.finish(false);
    }
  }

  private finish(_reset: boolean): void {
    if (this.over) return;
    this.over = true;
    this.ts.onReadiness = null;
    this.held = null;
    if (!this.k.destroyed && !(this.guestEof && this.finSent)) this.k.destroy();
    this.nat.ended(this);
    this.ctx.host.wake();
  }
}

const SCRATCH = Buffer.alloc(1);

// Port forwarding like QEMU's `hostfwd`: a real `node:net` server on the kernel's side
// (loopback by default) accepts connections and relays each one into the stack, where an
// adapters socket connects to the guest address and port. Both directions are piped with
// flow control (a slow reader on one side stops reads on the other, so the stack's TCP
// window closes rather than memory growing), a FIN on one side becomes a FIN on the other
// (half-close), and an error on either side resets the other.
//
//   const fwd = await startForward(parseForwardSpec('tcp:127.0.0.1:8080-192.0.2.2:80'), stack);
//   ... fwd.address()  ... fwd.counters  ... await fwd.close();
//
// `netch up --forward` and the preload (NETCH_FORWARD) both use this module. The kernel
// servers it creates carry KERNEL_SOCKET, so that the preload's patched net.Server keeps
// them on the kernel instead of moving them onto the stack.

import { createServer, type AddressInfo, type Server, type Socket as KernelSocket } from 'node:net';
import { isIP } from 'node:net';
import type { Duplex } from 'node:stream';

/** A property set (true) on kernel servers and sockets the preload must leave on the kernel. */
export const KERNEL_SOCKET: unique symbol = Symbol.for('netchannels.kernel-socket') as never;

/** The error code of a malformed forward spec. */
export const NETCH_ERR_FORWARD_SPEC = 'NETCH_ERR_FORWARD_SPEC';

/** One forward: accept on hostAddress:hostPort (the kernel), connect to guestAddress:guestPort (the stack). */
export interface ForwardSpec {
  /** Only TCP is forwarded. */
  proto: 'tcp';
  /** The kernel address to listen on (default 127.0.0.1). */
  hostAddress: string;
  /** The kernel port (0: an ephemeral port, see address()). */
  hostPort: number;
  /** The stack address to connect to. */
  guestAddress: string;
  /** The stack port to connect to. */
  guestPort: number;
}

/** A malformed spec (code NETCH_ERR_FORWARD_SPEC). */
export interface ForwardSpecError extends Error {
  code: typeof NETCH_ERR_FORWARD_SPEC;
}

function specError(spec: string, why: string): ForwardSpecError {
  const e = new Error(`forward ${JSON.stringify(spec)}: ${why}; expected [tcp:][HOSTADDR]:HOSTPORT-[GUESTADDR]:GUESTPORT (tcp:127.0.0.1:8080-192.0.2.2:80)`) as ForwardSpecError;
  e.code = NETCH_ERR_FORWARD_SPEC;
  return e;
}

function parsePort(s: string, zeroOk: boolean): number {
  if (!/^\d{1,5}$/.test(s)) return -1;
  const p = Number(s);
  return p > 65535 || (p === 0 && !zeroOk) ? -1 : p;
}

/**
 * Parse QEMU's hostfwd syntax, `[tcp:][HOSTADDR]:HOSTPORT-[GUESTADDR]:GUESTPORT`: an empty
 * HOSTADDR is 127.0.0.1 (QEMU's is any address: we stay on loopback unless asked), an empty
 * GUESTADDR is `defaultGuest`; the leading `tcp:` may be left out, `udp:` is refused.
 * Errors: throws NETCH_ERR_FORWARD_SPEC for anything malformed.
 */
export function parseForwardSpec(spec: string, defaultGuest = '192.0.2.2'): ForwardSpec {
  let rest = spec.trim();
  const proto = /^(tcp|udp):(?=.*-)/i.exec(rest);
  if (proto !== null) {
    if (proto[1]!.toLowerCase() === 'udp') throw specError(spec, 'only tcp forwards are supported');
    rest = rest.slice(4);
  }
  const dash = rest.indexOf('-');
  if (dash < 0 || rest.indexOf('-', dash + 1) >= 0) throw specError(spec, "one '-' separates the host side from the guest side");
  const side = (text: string, what: string, dflt: string, zeroOk: boolean): [string, number] => {
    const colon = text.lastIndexOf(':');
    const addr = colon < 0 ? '' : text.slice(0, colon);
    const portText = colon < 0 ? text : text.slice(colon + 1);
    const a = addr === '' ? dflt : addr;
    if (isIP(a) !== 4) throw specError(spec, `${what} address ${JSON.stringify(addr)} is not an IPv4 address`);
    const p = parsePort(portText, zeroOk);
    if (p < 0) throw specError(spec, `${what} port ${JSON.stringify(portText)} is not in ${zeroOk ? 0 : 1}..65535`);
    return [a, p];
  };
  const [hostAddress, hostPort] = side(rest.slice(0, dash), 'host', '127.0.0.1', true);
  const [guestAddress, guestPort] = side(rest.slice(dash + 1), 'guest', defaultGuest, false);
  return { proto: 'tcp', hostAddress, hostPort, guestAddress, guestPort };
}

/** Parse a comma- or space-separated list of specs (NETCH_FORWARD). Errors: NETCH_ERR_FORWARD_SPEC. */
export function parseForwardList(list: string, defaultGuest?: string): ForwardSpec[] {
  return list
    .split(/[\s,]+/)
    .filter((s) => s !== '')
    .map((s) => parseForwardSpec(s, defaultGuest));
}

/** Return the spec as `tcp:HOST:PORT-GUEST:PORT`. */
export function formatForwardSpec(s: ForwardSpec, hostPort = s.hostPort): string {
  return `${s.proto}:${s.hostAddress}:${hostPort}-${s.guestAddress}:${s.guestPort}`;
}

/** Open a stack connection to `port` on `host`, half-open allowed (an adapters stack's `connect`). */
export interface ForwardDialer {
  connect(opts: { host: string; port: number; allowHalfOpen: boolean }): Duplex & { resetAndDestroy?(): unknown; setNoDelay?(b?: boolean): unknown };
}

/** What a forward counted. */
export interface ForwardCounters {
  /** Connections accepted on the kernel side. */
  accepted: number;
  /** Connections relaying now. */
  active: number;
  /** Connections whose stack side could not connect. */
  failed: number;
  /** Bytes from the kernel side into the stack (of closed connections, plus those in flight at close). */
  bytesIn: number;
  /** Bytes from the stack out to the kernel side. */
  bytesOut: number;
}

/** A running forward: one kernel listener relaying into the stack. */
export class PortForward {
  readonly counters: ForwardCounters = { accepted: 0, active: 0, failed: 0, bytesIn: 0, bytesOut: 0 };
  private readonly server: Server;
  private readonly open = new Set<KernelSocket>();
  private closing = false;
  private boundPort = -1;

  /** Create (not listening yet); use startForward. */
  constructor(
    readonly spec: ForwardSpec,
    private readonly dialer: ForwardDialer,
  ) {
    this.server = createServer({ allowHalfOpen: true, pauseOnConnect: true }, (k) => this.relay(k));
    (this.server as unknown as Record<symbol, boolean>)[KERNEL_SOCKET] = true;
  }

  /** Listen on the kernel side; resolve once listening. Errors: rejects with the listen error (EADDRINUSE, EACCES). */
  listen(): Promise<this> {
    return new Promise((resolve, reject) => {
      const onError = (e: Error): void => reject(e);
      this.server.once('error', onError);
      this.server.listen(this.spec.hostPort, this.spec.hostAddress, () => {
        this.server.off('error', onError);
        this.server.on('error', () => undefined);
        this.boundPort = this.address().port;
        resolve(this);
      });
    });
  }

  /** Return the kernel address listened on. */
  address(): AddressInfo {
    return this.server.address() as AddressInfo;
  }

  /** Let Node exit while only this forward is open. */
  unref(): this {
    this.server.unref();
    return this;
  }

  /** Stop accepting and reset every open connection; resolve once the listener closed. */
  close(): Promise<void> {
    this.closing = true;
    for (const k of this.open) k.destroy();
    return new Promise((resolve) => {
      if (!this.server.listening) return resolve();
      this.server.close(() => resolve());
    });
  }

  /** Return `tcp:127.0.0.1:8080-192.0.2.2:80` with the port actually listened on. */
  toString(): string {
    return formatForwardSpec(this.spec, this.boundPort >= 0 ? this.boundPort : this.spec.hostPort);
  }

  /** Relay one accepted kernel connection into the stack. */
  private relay(k: KernelSocket): void {
    const c = this.counters;
    c.accepted++;
    c.active++;
    this.open.add(k);
    k.setNoDelay(true);
    const s = this.dialer.connect({ host: this.spec.guestAddress, port: this.spec.guestPort, allowHalfOpen: true });
    s.setNoDelay?.(true);
    let connected = false;
    let done = false;
    const finish = (): void => {
      if (done) return;
      done = true;
      c.active--;
      c.bytesIn += k.bytesRead;
      c.bytesOut += k.bytesWritten;
      this.open.delete(k);
    };
    // An error on one side resets the other: the client sees a reset, as from a real host.
    k.on('error', () => {
      if (!s.destroyed) (s.resetAndDestroy?.() ?? s.destroy());
    });
    s.on('error', () => {
      if (!connected) c.failed++;
      if (!k.destroyed) k.resetAndDestroy();
    });
    s.once('connect', () => {
      connected = true;
      // pipe(): flow control both ways, and end() on the other side at each side's FIN.
      k.pipe(s);
      s.pipe(k);
    });
    // A side that closed cleanly lets the other finish writing what it holds, then end;
    // a side destroyed by an error or by close() takes the other with it.
    k.once('close', (hadError: boolean) => {
      finish();
      if (s.destroyed) return;
      if (hadError || this.closing || !connected) s.destroy();
      else s.end();
    });
    s.once('close', () => {
      if (!k.destroyed) {
        if (connected) k.end();
        else k.resetAndDestroy();
      }
    });
  }
}

/** Start one forward into the stack `dialer`; resolve once it listens. Errors: rejects with the kernel's listen error. */
export function startForward(spec: ForwardSpec, dialer: ForwardDialer): Promise<PortForward> {
  return new PortForward(spec, dialer).listen();
}

/** Start every forward (closing those started if one fails). Errors: rejects with the first listen error. */
export async function startForwards(specs: readonly ForwardSpec[], dialer: ForwardDialer): Promise<PortForward[]> {
  const started: PortForward[] = [];
  try {
    for (const spec of specs) started.push(await startForward(spec, dialer));
  } catch (e) {
    await Promise.all(started.map((f) => f.close()));
    const err = e as Error & { code?: string };
    err.message = `forward ${formatForwardSpec(specs[started.length]!)}: ${err.message}`;
    throw err;
  }
  return started;
}

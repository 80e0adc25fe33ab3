// The preload's fence around the kernel's sockets. Under a locked policy (NETCH_POLICY) the
// program's calls on the stack meet the policy in the syscall layer; but a program under
// the preload can still reach the kernel's own sockets by the routes the interposition
// leaves there: Unix sockets (`listen(path)`, `connect({ path })`), tls and https (their
// sockets subclass Node's own net.Socket), dgram where it is not interposed, and the raw
// wraps behind `process.binding`. The fence makes those routes ask the same process's
// syscall filters first, with the call they stand for: a new socket is `socket`, then
// `bind`, `listen` or `connect`; a datagram `sendto`. A denial fails the call as the
// kernel's EPERM would reach Node (an 'error' event with code, errno and syscall; a throw
// for process.binding).
//
// Installed before interposeNet, so the interposition's "original" listen and connect (the
// kernel's path) are the fenced ones; sockets and servers already made (stdio, the
// forwards' listeners) keep working: only new sockets, binds, listens and connects ask.
// `remove()` puts the originals back.

import dgram from 'node:dgram';
import net from 'node:net';
import { errnoException } from '../adapters/errors.js';
import type { Process, SyscallName } from '../posix/index.js';

type AnyFn = (this: unknown, ...args: unknown[]) => unknown;
/** Node's deprecated process.binding (untyped in @types/node). */
const nodeProcess = process as unknown as { binding: AnyFn };

/** process.binding modules that make sockets. */
const SOCKET_BINDINGS = new Set(['tcp_wrap', 'udp_wrap', 'pipe_wrap', 'stream_wrap', 'tls_wrap', 'js_stream', 'cares_wrap']);

/** The fence; remove() undoes it. */
export interface KernelFence {
  remove(): void;
}

/** Return -errno for the first of `calls` that `proc`'s filters deny, else 0. */
function denied(proc: Process, calls: readonly SyscallName[]): number {
  for (const c of calls) {
    const e = proc.syscallDenied(c);
    if (e !== 0) return e;
  }
  return 0;
}

/** Make the kernel's socket routes of this Node process obey `proc`'s syscall filters. */
export function fenceKernelSockets(proc: Process): KernelFence {
  const sockProto = net.Socket.prototype as unknown as Record<string, AnyFn>;
  const serverProto = net.Server.prototype as unknown as Record<string, AnyFn>;
  const dgramProto = dgram.Socket.prototype as unknown as Record<string, AnyFn>;
  const orig = {
    connect: sockProto.connect!,
    listen: serverProto.listen!,
    bind: dgramProto.bind!,
    send: dgramProto.send!,
    dgramConnect: dgramProto.connect!,
    binding: nodeProcess.binding,
  };

  sockProto.connect = function connect(this: unknown, ...args: unknown[]): unknown {
    const e = denied(proc, ['socket', 'connect']);
    if (e === 0) return orig.connect.apply(this, args);
    const s = this as net.Socket;
    process.nextTick(() => s.destroy(errnoException(e, 'connect')));
    return s;
  };
  serverProto.listen = function listen(this: unknown, ...args: unknown[]): unknown {
    const e = denied(proc, ['socket', 'bind', 'listen']);
    if (e === 0) return orig.listen.apply(this, args);
    const s = this as net.Server;
    process.nextTick(() => s.emit('error', errnoException(e, 'listen')));
    return s;
  };
  dgramProto.bind = function bind(this: unknown, ...args: unknown[]): unknown {
    const e = denied(proc, ['socket', 'bind']);
    if (e === 0) return orig.bind.apply(this, args);
    const s = this as dgram.Socket;
    process.nextTick(() => s.emit('error', errnoException(e, 'bind')));
    return s;
  };
  dgramProto.connect = function connect(this: unknown, ...args: unknown[]): unknown {
    const e = denied(proc, ['socket', 'connect']);
    if (e === 0) return orig.dgramConnect.apply(this, args);
    const s = this as dgram.Socket;
    process.nextTick(() => s.emit('error', errnoException(e, 'connect')));
    return undefined;
  };
  dgramProto.send = function send(this: unknown, ...args: unknown[]): unknown {
    const e = denied(proc, ['socket', 'sendto']);
    if (e === 0) return orig.send.apply(this, args);
    // dgram reports a failed send to its callback, else as an 'error' event.
    const last = args[args.length - 1];
    const cb = typeof last === 'function' ? (last as (err: Error) => void) : undefined;
    const err = errnoException(e, 'send');
    process.nextTick(() => (cb !== undefined ? cb(err) : (this as dgram.Socket).emit('error', err)));
    return undefined;
  };
  const fencedBinding = function binding(this: unknown, name: string): unknown {
    if (SOCKET_BINDINGS.has(name)) {
      const e = denied(proc, ['socket']);
      if (e !== 0) throw errnoException(e, 'socket');
    }
    return orig.binding.call(this, name);
  };
  nodeProcess.binding = fencedBinding as AnyFn;

  let removed = false;
  return {
    remove() {
      if (removed) return;
      removed = true;
      sockProto.connect = orig.connect;
      serverProto.listen = orig.listen;
      dgramProto.bind = orig.bind;
      dgramProto.send = orig.send;
      dgramProto.connect = orig.dgramConnect;
      if (nodeProcess.binding === (fencedBinding as unknown)) nodeProcess.binding = orig.binding;
    },
  };
}

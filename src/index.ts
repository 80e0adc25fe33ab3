// netchannels: a user-space TCP/IP stack for Node.js built on Van Jacobson's network
// channels. This entry re-exports the public layers; each subpath (`netchannels/wire`,
// `netchannels/channel`, `netchannels/link`, `netchannels/iface`, `netchannels/posix`,
// `netchannels/hooks`, `netchannels/runtime`, `netchannels/adapters`) can be imported on
// its own.

export * from './time.js';
export * as wire from './wire/index.js';
export * as storage from './storage/index.js';
export * as channel from './channel/index.js';
export * as link from './link/index.js';
export * from './iface/index.js';
export * as tcp from './transport/index.js';
export * as posix from './posix/index.js';
export * as aio from './aio/index.js';
export * as hooks from './hooks/index.js';
export * from './runtime/index.js';

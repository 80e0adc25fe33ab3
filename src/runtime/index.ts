// The runtime: what runs hosts in time. `Sim` is the deterministic driver for tests and
// simulations (a VirtualClock that jumps to the next deadline); `Loop` is the real-time
// driver (RealClock, setImmediate on wake-ups, setTimeout at deadlines, no busy spin).
// Both poll anything shaped like a PollNode: a Host, or a test's own node.
//
// Guarantees: bounded work per step or run; nodes are polled in the order added, so a
// simulation is reproducible. Never: no protocol logic here.

export * from './node.js';
export * from './sim.js';
export * from './loop.js';
export * as channelMode from './channel-mode/index.js';

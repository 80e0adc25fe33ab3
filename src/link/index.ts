// The link layer: devices that move Ethernet frames, and middleware that wraps them.
//
// Deals with: the LinkDevice contract (batched pull receive, in-place transmit), the memory
// link (two ends over net channels, in one thread or across threads), the TAP device and the
// UDP tunnel, and middleware that stacks on any device: pcap capture, a seeded fault
// injector, a tracer.
// Guarantees: a device never throws out of receive or transmit; a full device returns -1
// from transmitBegin and counts the drop; frames are lent to the sink for one call only.
// Never: parses beyond what middleware needs to print, reads the clock (time is passed in),
// or allocates per frame on the memory link's data path.

export * from './device.js';
export * from './memory.js';
export * from './pcap.js';
export * from './fault-injector.js';
export * from './tracer.js';
export * from './tap.js';
export * from './udp-tunnel.js';
export * from './observer.js';

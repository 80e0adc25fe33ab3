// Zero windows on both sides (found by the echo service with a client that stops reading,
// and against Linux): after a window probe, the byte it carried was not accepted, so the
// ACKs and the RST we send must not carry its sequence number: a peer whose window is zero
// accepts a segment only at exactly RCV.NXT (RFC 9293 §3.10.7.4), and Linux does the same
// (tcp_sequence). Like Linux's tcp_acceptable_seq, they carry SND.NXT clamped to the right
// edge of the peer's window.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TcpHarness, connectedPair } from './harness.js';
import { TcpState } from '../../src/transport/tcp/state.js';
import { TCP_ACK, TCP_RST } from '../../src/wire/tcp.js';

/** A connection whose peer closed its window after taking 1000 bytes, probed once. */
function probedConnection(): { h: TcpHarness; s: ReturnType<TcpHarness['connect']>['s']; iss: number; peerNxt: number } {
  const h = new TcpHarness();
  const { s, iss, peerNxt } = h.connect(5000, 1460, 1000);
  s.noDelay = true;
  s.send(new Uint8Array(3000), 0, 3000, h.now());
  h.expectFrame({ seq: iss + 1, len: 1000 });
  h.inject({ srcPort: 80, dstPort: s.localPort, seq: peerNxt, ack: iss + 1001, flags: TCP_ACK, window: 0 });
  h.expectNoFrame();
  h.run(1500);
  // Probes: the peer does not take their byte (it answers nothing here).
  const probes = h.sent();
  assert.ok(probes.length > 0 && probes.every((x) => x.seq === iss + 1001 && x.len === 1), probes.map((x) => x.text).join('\n'));
  return { h, s, iss, peerNxt };
}

test('after a zero-window probe, a pure ACK carries the peer RCV.NXT, not the probe byte', () => {
  const { h, s, iss, peerNxt } = probedConnection();
  h.inject({ srcPort: 80, dstPort: s.localPort, seq: peerNxt, ack: iss + 1001, flags: TCP_ACK, window: 0, payload: new Uint8Array(10) });
  h.expectFrame({ flags: TCP_ACK, seq: iss + 1001, ack: peerNxt + 10, len: 0 });
});

test('after a zero-window probe, abort() sends its RST at the peer RCV.NXT', () => {
  const { h, s, iss } = probedConnection();
  s.abort(h.now());
  h.expectFrame({ flags: TCP_RST | TCP_ACK, seq: iss + 1001 });
});

test('an echo whose client stops reading: both windows close; once the client reads, everything comes back', () => {
  const p = connectedPair({}, 1);
  const total = 1 << 20;
  const data = new Uint8Array(total).map((_, i) => i % 251);
  let sent = 0;
  let got = 0;
  let reading = false;
  // The server echoes: it reads only once what it read before has been sent back.
  const pending = new Uint8Array(16384);
  let pOff = 0;
  let pLen = 0;
  const buf = new Uint8Array(65536);
  const pump = (): void => {
    const now = p.sim.now();
    for (let k = 0; k < 100 && sent < total; k++) {
      const n = p.client.send(data, sent, total - sent, now);
      if (n <= 0) break;
      sent += n;
    }
    for (let k = 0; k < 100; k++) {
      if (pLen > 0) {
        const n = p.server.send(pending, pOff, pLen, now);
        if (n <= 0) break;
        pOff += n;
        pLen -= n;
        continue;
      }
      const n = p.server.recv(pending, 0, pending.length, now);
      if (n <= 0) break;
      pOff = 0;
      pLen = n;
    }
    for (let k = 0; k < 100 && reading; k++) {
      const n = p.client.recv(buf, 0, buf.length, now);
      if (n <= 0) break;
      got += n;
    }
  };
  p.client.onReadiness = pump;
  p.server.onReadiness = pump;
  pump();
  p.sim.runFor(5_000);
  assert.ok(p.ta.counters.TcpExt.TCPWinProbe > 0 && p.tb.counters.TcpExt.TCPWinProbe > 0, 'both sides probed a zero window');
  reading = true;
  pump();
  const t0 = p.sim.now();
  assert.ok(p.sim.runUntil(() => (pump(), got === total), { maxTime: 120_000 }), `stuck: ${got} of ${total} echoed`);
  // With 1 ms of delay each way, 1 MiB takes well under a second of virtual time once
  // unblocked; before the fix, recovery crawled along at one segment per backed-off RTO.
  assert.ok(p.sim.now() - t0 < 5_000, `the echo took ${p.sim.now() - t0} ms of virtual time after the client resumed reading`);
  assert.equal(p.client.state, TcpState.Established);
});

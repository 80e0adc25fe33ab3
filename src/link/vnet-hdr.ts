// The virtio_net_hdr a TAP device opened with IFF_VNET_HDR puts before every frame
// (include/uapi/linux/virtio_net.h, drivers/net/tun.c), little-endian (TUNSETVNETLE):
//
//   0 flags        NEEDS_CSUM: the L4 checksum is partial: the field at
//                  csum_start + csum_offset holds the pseudo-header sum, the rest is to do;
//                  DATA_VALID: the checksum was verified
//   1 gso_type     NONE, TCPV4 (a TCP super-frame to cut into gso_size segments), ...; | ECN
//   2 hdr_len      bytes of headers (Ethernet + IP + TCP) copied into every segment
//   4 gso_size     data bytes per segment
//   6 csum_start   offset of the L4 header from the start of the Ethernet frame
//   8 csum_offset  offset of the checksum field inside the L4 header (16 for TCP)
//
// Receiving, the kernel tells us per frame whether the checksum needs no check and whether
// the frame is a GSO super-frame. Sending, we mark IPv4 TCP frames NEEDS_CSUM with the
// pseudo-header sum seeded in the checksum field (as Linux's __tcp_v4_send_check does for a
// CHECKSUM_PARTIAL skb), so the kernel completes the checksum or, for a TSO super-frame
// (gso_type TCPV4, gso_size = MSS), segments it (tcp_gso_segment) and checksums each segment.
// Pure functions over bytes: no allocation.

import { get16, set16 } from '../wire/bytes.js';
import { foldSum, pseudoHeaderSum } from '../wire/checksum.js';
import { ETH_HEADER_LEN, ETH_P_IPV4 } from '../wire/ethernet.js';
import { IPPROTO_TCP } from '../wire/ipv4.js';

/** Length of the header we use (struct virtio_net_hdr, without num_buffers). */
export const VNET_HDR_LEN = 10;
/** flags: csum_start/csum_offset give a partial checksum to complete. */
export const VIRTIO_NET_HDR_F_NEEDS_CSUM = 1;
/** flags: the checksum has been verified. */
export const VIRTIO_NET_HDR_F_DATA_VALID = 2;
/** gso_type: not a GSO frame. */
export const VIRTIO_NET_HDR_GSO_NONE = 0;
/** gso_type: an IPv4 TCP super-frame (TSO). */
export const VIRTIO_NET_HDR_GSO_TCPV4 = 1;
/** gso_type bit: the TCP segments carry ECN (CWR). */
export const VIRTIO_NET_HDR_GSO_ECN = 0x80;
/** The largest IPv4 datagram a TAP device takes or gives as a TSO/GSO super-frame (IPv4's total length field). */
export const TAP_TSO_MAX_BYTES = 65535;

/** What `vnetRxKind` says about a received frame. */
export const VnetRx = {
  /** A plain frame: verify its checksums. */
  Plain: 0,
  /** The transport checksum is partial (NEEDS_CSUM) or verified (DATA_VALID): do not check it. */
  ChecksumOk: 1,
  /** A gso_type we did not ask for (UDP, TCPv6, unknown): drop the frame. */
  Unsupported: 2,
} as const;
/** A VnetRx value. */
export type VnetRxKind = (typeof VnetRx)[keyof typeof VnetRx];

/** Return how to treat the frame after the header at `off` of `b` (VnetRx). */
export function vnetRxKind(b: Uint8Array, off: number): VnetRxKind {
  const gso = b[off + 1]! & ~VIRTIO_NET_HDR_GSO_ECN;
  if (gso !== VIRTIO_NET_HDR_GSO_NONE && gso !== VIRTIO_NET_HDR_GSO_TCPV4) return VnetRx.Unsupported;
  return (b[off]! & (VIRTIO_NET_HDR_F_NEEDS_CSUM | VIRTIO_NET_HDR_F_DATA_VALID)) !== 0 ? VnetRx.ChecksumOk : VnetRx.Plain;
}

/** Return true when the header at `off` of `b` says GSO (a super-frame). */
export function vnetIsGso(b: Uint8Array, off: number): boolean {
  return (b[off + 1]! & ~VIRTIO_NET_HDR_GSO_ECN) !== VIRTIO_NET_HDR_GSO_NONE;
}

/** Write a header with every field zero (a plain frame, checksums complete) at `off`. */
export function emitVnetPlain(b: Uint8Array, off: number): void {
  for (let i = 0; i < VNET_HDR_LEN; i++) b[off + i] = 0;
}

/**
 * Write the header at `hdrOff` for the Ethernet frame of `len` bytes at `off` of `b`, and
 * prepare the frame: an unfragmented IPv4 TCP frame gets NEEDS_CSUM, its checksum field
 * seeded with the pseudo-header sum (any value there before is replaced), and with
 * `segSize` > 0 and more data than that, gso_type TCPV4 and gso_size `segSize`; any other
 * frame a plain header (its checksums must be complete). Return false when `segSize` > 0
 * but the frame is not one TCP can segment (not IPv4 TCP, a fragment, a bad header): the
 * caller drops it.
 */
export function emitVnetTx(b: Uint8Array, hdrOff: number, off: number, len: number, segSize: number): boolean {
  emitVnetPlain(b, hdrOff);
  const ip = off + ETH_HEADER_LEN;
  if (len < ETH_HEADER_LEN + 20 + 20 || get16(b, off + 12) !== ETH_P_IPV4 || b[ip]! >>> 4 !== 4) return segSize === 0;
  const ihl = (b[ip]! & 0x0f) * 4;
  const total = get16(b, ip + 2);
  // More fragments or a fragment offset: the TCP header is not (all) in this frame.
  if (b[ip + 9] !== IPPROTO_TCP || ihl < 20 || (get16(b, ip + 6) & 0x3fff) !== 0) return segSize === 0;
  const l4 = ip + ihl;
  const l4Len = total - ihl;
  if (total > len - ETH_HEADER_LEN || l4Len < 20) return segSize === 0;
  const thl = (b[l4 + 12]! >>> 4) * 4;
  if (thl < 20 || thl > l4Len) return segSize === 0;
  const src = ((b[ip + 12]! << 24) | (b[ip + 13]! << 16) | (b[ip + 14]! << 8) | b[ip + 15]!) >>> 0;
  const dst = ((b[ip + 16]! << 24) | (b[ip + 17]! << 16) | (b[ip + 18]! << 8) | b[ip + 19]!) >>> 0;
  // The pseudo-header sum over the whole segment, not inverted: the receiver of a
  // CHECKSUM_PARTIAL frame sums from csum_start over this field and stores the inverse; a
  // segmenter (tcp_gso_segment) first swaps the length for each segment's.
  set16(b, l4 + 16, foldSum(pseudoHeaderSum(src, dst, IPPROTO_TCP, l4Len)));
  const hdrLen = ETH_HEADER_LEN + ihl + thl;
  b[hdrOff] = VIRTIO_NET_HDR_F_NEEDS_CSUM;
  const gso = segSize > 0 && l4Len - thl > segSize;
  b[hdrOff + 1] = gso ? VIRTIO_NET_HDR_GSO_TCPV4 : VIRTIO_NET_HDR_GSO_NONE;
  setLe16(b, hdrOff + 2, hdrLen);
  setLe16(b, hdrOff + 4, gso ? segSize : 0);
  setLe16(b, hdrOff + 6, ETH_HEADER_LEN + ihl);
  setLe16(b, hdrOff + 8, 16);
  return true;
}

/** Return the little-endian 16-bit field at `off` (the header's byte order). */
export function getLe16(b: Uint8Array, off: number): number {
  return b[off]! | (b[off + 1]! << 8);
}

function setLe16(b: Uint8Array, off: number, v: number): void {
  b[off] = v & 0xff;
  b[off + 1] = (v >>> 8) & 0xff;
}

/** Return a one-line description of the header at `off`: `flags NEEDS_CSUM gso TCPV4 size 1448 hdr 66 csum 34+16`. */
export function formatVnetHdr(b: Uint8Array, off: number): string {
  const f = b[off]!;
  const flags = [f & VIRTIO_NET_HDR_F_NEEDS_CSUM ? 'NEEDS_CSUM' : '', f & VIRTIO_NET_HDR_F_DATA_VALID ? 'DATA_VALID' : ''].filter((x) => x !== '').join('|') || '0';
  const g = b[off + 1]!;
  const type = (g & ~VIRTIO_NET_HDR_GSO_ECN) === VIRTIO_NET_HDR_GSO_NONE ? 'NONE' : (g & ~VIRTIO_NET_HDR_GSO_ECN) === VIRTIO_NET_HDR_GSO_TCPV4 ? 'TCPV4' : String(g & ~VIRTIO_NET_HDR_GSO_ECN);
  return `flags ${flags} gso ${type}${g & VIRTIO_NET_HDR_GSO_ECN ? '|ECN' : ''} size ${getLe16(b, off + 4)} hdr ${getLe16(b, off + 2)} csum ${getLe16(b, off + 6)}+${getLe16(b, off + 8)}`;
}

// The parsed form of a packetdrill script: options, an init command, events in script
// order, each with its line and its time. Times are in microseconds, as upstream keeps them.

/** How an event's time is written: `1.5`, `+.1`, `*`, `1~2`, `+1~+2`. */
export type TimeKind = 'absolute' | 'relative' | 'any' | 'absRange' | 'relRange';

/** An event's time as written. */
export interface EventTime {
  kind: TimeKind;
  usecs: number;
  /** End of a range (absRange, relRange), else -1. */
  endUsecs: number;
}

/** A TCP option as written in `<...>`. */
export type TcpOptSpec =
  | { kind: 'mss'; value: number }
  | { kind: 'nop' }
  | { kind: 'eol' }
  | { kind: 'sackOK' }
  | { kind: 'wscale'; value: number }
  | { kind: 'sack'; blocks: [number, number][] }
  | { kind: 'ts'; val: number; ecr: number };

/** An inbound (`<`) or outbound (`>`) packet line. */
export interface PacketEvent {
  type: 'packet';
  line: number;
  time: EventTime;
  dir: 'in' | 'out';
  /** Flag letters (S, F, R, P, E, W, U) and '.' for ACK, as written. */
  flags: string;
  seq: number;
  end: number;
  len: number;
  /** `ack N`, or null when absent. */
  ack: number | null;
  /** `win N`, or null when absent (an outbound window is then not checked). */
  win: number | null;
  /** The options, or null for `<...>` (any options). An empty list: none. */
  options: TcpOptSpec[] | null;
  /** A construct the runner cannot honour (ECN marks, UDP, ICMP, encapsulation...), or null. */
  unsupported: string | null;
}

/** A syscall argument or result. */
export type Expr =
  | { t: 'int'; v: number }
  | { t: 'word'; name: string }
  | { t: 'ellipsis' }
  | { t: 'string'; s: string }
  | { t: 'array'; items: Expr[] }
  | { t: 'struct'; fields: StructField[] }
  | { t: 'binop'; op: string; l: Expr; r: Expr }
  | { t: 'call'; name: string; args: Expr[] };

/** `name=value` (name may carry `(n)`, as `msg_iov(1)`), or a bare value in a struct. */
export interface StructField {
  name: string | null;
  value: Expr;
}

/** A system call line: `name(args) = result [ERRNO (note)]`. */
export interface SyscallEvent {
  type: 'syscall';
  line: number;
  time: EventTime;
  name: string;
  args: Expr[];
  result: Expr;
  errno: string | null;
  note: string | null;
  /** The end time of a blocking call (`...end`), in µs, or -1 for a call that must return at once. */
  endUsecs: number;
}

/** A back-quoted shell command at a time. */
export interface CommandEvent {
  type: 'command';
  line: number;
  time: EventTime;
  command: string;
}

/** A `%{ ... }%` block. */
export interface CodeEvent {
  type: 'code';
  line: number;
  time: EventTime;
  code: string;
}

/** Any event. */
export type ScriptEvent = PacketEvent | SyscallEvent | CommandEvent | CodeEvent;

/** A parsed script. */
export interface Script {
  /** `--name=value` lines, in order (value '' for a bare flag). */
  options: { name: string; value: string; line: number }[];
  /** Back-quoted commands outside events: before the first event, and after the last. */
  initCommands: { command: string; line: number }[];
  cleanupCommands: { command: string; line: number }[];
  events: ScriptEvent[];
}

/** A syntax error with the script line it was found on. */
export class PacketdrillSyntaxError extends Error {
  readonly code = 'NETCH_ERR_PACKETDRILL_SYNTAX';
  constructor(readonly line: number, message: string) {
    super(`line ${line}: ${message}`);
  }
}

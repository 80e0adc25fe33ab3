// Naming sets of calls the way strace's `-e trace=` does: system call names ("accept4"
// covers accept4 and acceptAsync, as strace shows both as accept4), entry names of the
// table ("acceptAsync" alone), classes ("%network", "%net", "%desc"), "all", "none",
// "/regex" over the strace names, a leading "!" for the complement, and "?name" for a
// name that may be unknown without it being an error.

import { netchError } from '../iface/errors.js';
import { SYSCALL_NAMES, SYSCALL_MAN_NAMES, type SyscallName } from '../posix/syscalls.js';

/** strace's %network class: the socket calls (TRACE_NETWORK in strace's tables). */
const NETWORK = new Set([
  'socket', 'bind', 'listen', 'accept', 'accept4', 'connect', 'sendto', 'recvfrom', 'shutdown', 'getsockname', 'getpeername',
  'setsockopt', 'getsockopt',
]);
/** strace's %desc class, restricted to our calls: those about file descriptors that are not socket calls. */
const DESC = new Set(['close', 'dup', 'fcntl', 'poll', 'epoll_create1', 'epoll_ctl', 'epoll_wait']);

const CLASSES: Readonly<Record<string, ReadonlySet<string>>> = { '%network': NETWORK, '%net': NETWORK, '%desc': DESC };

/** The strace names our table has ("socket", ..., "epoll_wait"), sorted. */
export const TRACEABLE_NAMES: readonly string[] = [...new Set(Object.values(SYSCALL_MAN_NAMES))].sort();

/**
 * Return the entries a set expression names: comma-separated tokens (or an array of
 * them), with an optional leading "!" on the whole expression to take the complement.
 * Errors: throws NETCH_ERR_HOOK_SPEC for an unknown name or class, or a bad regex.
 */
export function selectCalls(spec: string | readonly string[]): Set<SyscallName> {
  let tokens = typeof spec === 'string' ? spec.split(',') : [...spec];
  let negate = false;
  if (tokens.length > 0 && tokens[0]!.startsWith('!')) {
    negate = true;
    tokens = [tokens[0]!.slice(1), ...tokens.slice(1)];
  }
  const out = new Set<SyscallName>();
  for (const raw of tokens) {
    const t = raw.trim();
    if (t === '' || t === 'none') continue;
    if (t === 'all') {
      for (const n of SYSCALL_NAMES) out.add(n);
      continue;
    }
    const optional = t.startsWith('?');
    const tok = optional ? t.slice(1) : t;
    const before = out.size;
    if (tok.startsWith('/')) {
      let re: RegExp;
      try {
        re = new RegExp(tok.slice(1));
      } catch {
        throw netchError('NETCH_ERR_HOOK_SPEC', `${tok}: not a regular expression`);
      }
      for (const n of SYSCALL_NAMES) if (re.test(SYSCALL_MAN_NAMES[n])) out.add(n);
      continue;
    }
    if (tok.startsWith('%')) {
      const cls = CLASSES[tok];
      if (cls === undefined) {
        if (optional) continue;
        throw netchError('NETCH_ERR_HOOK_SPEC', `${tok}: unknown class of system calls (we have %network, %net, %desc)`);
      }
      for (const n of SYSCALL_NAMES) if (cls.has(SYSCALL_MAN_NAMES[n])) out.add(n);
      continue;
    }
    for (const n of SYSCALL_NAMES) if (n === tok || SYSCALL_MAN_NAMES[n] === tok) out.add(n);
    if (out.size === before && !optional && !SYSCALL_NAMES.some((n) => n === tok || SYSCALL_MAN_NAMES[n] === tok)) {
      throw netchError('NETCH_ERR_HOOK_SPEC', `${tok}: invalid system call (we trace ${TRACEABLE_NAMES.join(', ')})`);
    }
  }
  if (!negate) return out;
  const all = new Set<SyscallName>(SYSCALL_NAMES);
  for (const n of out) all.delete(n);
  return all;
}

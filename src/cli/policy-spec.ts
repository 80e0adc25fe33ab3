// NETCH_POLICY's syntax: the preload's locked syscall policy for the program's process,
// as words `allow=SET`, `deny=SET`, `errno=NAME`, `otherwise=allow|deny` (docs/hooks.md).

import { Policy, type PolicyOptions } from '../hooks/policy.js';

/** A bad preload setting (code NETCH_ERR_PRELOAD_CONFIG); the preload's other settings use it too. */
export function configError(msg: string): Error {
  const e = new Error(msg) as Error & { code: string };
  e.code = 'NETCH_ERR_PRELOAD_CONFIG';
  return e;
}

/**
 * Parse NETCH_POLICY: words `allow=SET`, `deny=SET`, `errno=NAME` and `otherwise=allow|deny`
 * (SET as in strace's -e trace=: names and %classes, comma-separated). Errors: throws
 * NETCH_ERR_PRELOAD_CONFIG for a bad word, NETCH_ERR_HOOK_SPEC for an unknown call or errno.
 */
export function parsePolicySpec(text: string): PolicyOptions {
  const opts: PolicyOptions = {};
  for (const word of text.split(/[\s;]+/).filter((w) => w !== '')) {
    const eq = word.indexOf('=');
    const key = eq < 0 ? word : word.slice(0, eq);
    const value = eq < 0 ? '' : word.slice(eq + 1);
    if (value === '') throw configError(`NETCH_POLICY: ${word} needs a value (allow=SET, deny=SET, errno=NAME, otherwise=allow|deny)`);
    if (key === 'allow' || key === 'deny') opts[key] = [...((opts[key] as string[] | undefined) ?? []), ...value.split(',')];
    else if (key === 'errno') opts.errno = value;
    else if (key === 'otherwise' && (value === 'allow' || value === 'deny')) opts.otherwise = value;
    else throw configError(`NETCH_POLICY: ${word} is not allow=SET, deny=SET, errno=NAME or otherwise=allow|deny`);
  }
  if (opts.allow === undefined && opts.deny === undefined) throw configError('NETCH_POLICY: name the calls to allow= or deny=');
  new Policy(opts); // the call sets and the errno are checked here, before the program runs
  return opts;
}

// The gateway's errors: Node-shaped Error objects with a stable NETCH_ERR_GATEWAY_* code
// (docs/errors.md lists them).

/** Bad gateway options (addresses, CIDRs, limits, an egress policy). */
export const NETCH_ERR_GATEWAY_CONFIG = 'NETCH_ERR_GATEWAY_CONFIG';
/** A bad link spec (`--stream`, `--ws`, `--dgram`) or a link that cannot be opened. */
export const NETCH_ERR_GATEWAY_LINK = 'NETCH_ERR_GATEWAY_LINK';

/** An Error with a stable `code`. */
export interface GatewayError extends Error {
  code: string;
}

/** Return an Error with `code` and the message prefixed by it. */
export function gatewayError(code: string, message: string): GatewayError {
  const e = new Error(message) as GatewayError;
  e.code = code;
  return e;
}

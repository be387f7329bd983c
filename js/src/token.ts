import { SealpayError } from "./errors.js";
import type { TokenResult } from "./types.js";

/** pickToken keeps only the documented members of a token result. */
export function pickToken(r: unknown): TokenResult {
  const o = (r ?? {}) as { token?: unknown; card?: Record<string, unknown> };
  const c = o.card ?? {};
  if (typeof o.token !== "string" || !/^tok_[A-Za-z0-9]{22}$/.test(o.token)) {
    throw new SealpayError("upstream_error", "Sealpay: the edge sent no token");
  }
  return {
    token: o.token,
    card: {
      brand: c.brand as TokenResult["card"]["brand"],
      last4: String(c.last4 ?? ""),
      exp_month: Number(c.exp_month),
      exp_year: Number(c.exp_year),
      fingerprint: String(c.fingerprint ?? ""),
    },
  };
}

import type { ErrorCode } from "./types.js";

/** The error every Sealpay promise rejects with: `code` is stable, `message` is for people. */
export class SealpayError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "SealpayError";
    this.code = code;
  }
}

/** A programming mistake in the caller; the message says what to do instead. */
export class SealpayUsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SealpayUsageError";
  }
}

// Codes are checked by shape, not against the list, so that a newer edge's
// codes pass through an older script unchanged.
const codeShape = /^[a-z][a-z_]{1,39}$/;

/** isErrorCode reports whether s has the shape of an error code (snake_case). */
export function isErrorCode(s: unknown): s is ErrorCode {
  return typeof s === "string" && codeShape.test(s);
}

/** toSealpayError turns anything thrown or sent to us into a SealpayError. */
export function toSealpayError(e: unknown, fallback: ErrorCode = "internal"): SealpayError {
  if (e instanceof SealpayError) return e;
  if (e && typeof e === "object") {
    const o = e as { code?: unknown; message?: unknown };
    const code = isErrorCode(o.code) ? o.code : fallback;
    const message = typeof o.message === "string" ? o.message : "Sealpay: unexpected error";
    return new SealpayError(code, message, { cause: e });
  }
  return new SealpayError(fallback, "Sealpay: unexpected error", { cause: e });
}

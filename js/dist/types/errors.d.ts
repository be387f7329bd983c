import type { ErrorCode } from "./types.js";
/** The error every Sealpay promise rejects with: `code` is stable, `message` is for people. */
export declare class SealpayError extends Error {
    readonly code: ErrorCode;
    constructor(code: ErrorCode, message: string, options?: {
        cause?: unknown;
    });
}
/** A programming mistake in the caller; the message says what to do instead. */
export declare class SealpayUsageError extends Error {
    constructor(message: string);
}
/** isErrorCode reports whether s has the shape of an error code (snake_case). */
export declare function isErrorCode(s: unknown): s is ErrorCode;
/** toSealpayError turns anything thrown or sent to us into a SealpayError. */
export declare function toSealpayError(e: unknown, fallback?: ErrorCode): SealpayError;

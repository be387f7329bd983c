import { SealpayError } from "./errors.cjs";
import type { LoadOptions, Sealpay } from "./types.cjs";
/**
 * load checks its options and resolves to a {@link Sealpay}. It memoizes one
 * promise: later calls with the same options get the same promise; calls
 * with different options throw. A failed load is forgotten so the caller
 * can retry. On the server (no `window`) it resolves `null`.
 */
export declare function load(options: LoadOptions): Promise<Sealpay | null>;
/** httpError turns an edge error response into a SealpayError. */
export declare function httpError(res: Response, what: string): Promise<SealpayError>;

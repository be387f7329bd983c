import type { TokenResult } from "./types.js";
/** pickToken keeps only the documented members of a token result. */
export declare function pickToken(r: unknown): TokenResult;

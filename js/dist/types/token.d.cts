import type { TokenResult } from "./types.cjs";
/** pickToken keeps only the documented members of a token result. */
export declare function pickToken(r: unknown): TokenResult;

/**
 * `@sealpay/js/pure`: importing it does nothing; call {@link load} when you
 * need Sealpay.
 *
 * ```js
 * import { load } from "@sealpay/js/pure";
 * const sp = await load({ edge: "https://edge.example", key: "pk_live_…" });
 * ```
 */
export { load } from "./sealpay.cjs";
export { SealpayError, SealpayUsageError } from "./errors.cjs";
export { VERSION } from "./version.cjs";
export type * from "./types.cjs";

/**
 * `@sealpay/js`: card fields hosted by your Sealpay edge, direct-mode
 * sealing and payment QR checks. Importing it has no side effects and is
 * safe during server-side rendering.
 *
 * ```js
 * import { loadSealpay } from "@sealpay/js";
 * const sp = await loadSealpay({ edge: "https://edge.example", key: "pk_live_…", locale: "zh-CN" });
 * const card = sp.cardElement({ style: { base: { fontSize: "16px" } } });
 * card.mount("#card");
 * const { token, card: meta } = await card.tokenize();
 * ```
 */
export * from "./pure.js";
/** Load Sealpay; the same function as `load` from `@sealpay/js/pure`. Resolves `null` on the server. */
export { load as loadSealpay } from "./pure.js";

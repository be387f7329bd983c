/**
 * The heavier pieces the loader needs only sometimes: direct-mode sealing
 * (the wasm loader), the fallback QR decoder and the rarer paths' code
 * (extra.ts: wallet button messages, tokenizeWallet, scanQR). In the npm
 * builds they are ordinary imports (jsqr is a dependency, imported on first
 * use; extra.ts is imported statically, so loadExtra returns it at once);
 * the <script> build swaps this file for lazy-snippet.ts, which fetches
 * them from the edge with pinned Subresource Integrity hashes.
 */
import * as extra from "./extra.js";
import type { QRDecoder } from "./types.js";

/** The direct-mode module. */
export type Direct = typeof import("./direct.js");

/** The rarer paths' module. */
export type Extra = typeof import("./extra.js");

/** loadExtra returns the rarer paths' module, or a promise of it while it loads. */
export function loadExtra(_edge: string): Extra | Promise<Extra> {
  return extra;
}

/** loadDirect resolves to the direct-mode module. */
export async function loadDirect(_edge: string): Promise<Direct> {
  return import("./direct.js");
}

/** loadDecoder resolves to the fallback QR decoder (jsQR). */
export async function loadDecoder(_edge: string): Promise<QRDecoder> {
  const jsQR = (await import("jsqr")).default;
  return (data, width, height) => jsQR(data, width, height, { inversionAttempts: "attemptBoth" })?.data ?? null;
}

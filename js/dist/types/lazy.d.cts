/**
 * The heavier pieces the loader needs only sometimes: direct-mode sealing
 * (the wasm loader) and the fallback QR decoder. In the npm builds they are
 * ordinary imports (jsqr is a dependency, imported on first use); the
 * <script> build swaps this file for lazy-snippet.ts, which fetches them
 * from the edge with pinned Subresource Integrity hashes.
 */
import type { QRDecoder } from "./types.cjs";
/** The direct-mode module. */
export type Direct = typeof import("./direct.js");
/** loadDirect resolves to the direct-mode module. */
export declare function loadDirect(_edge: string): Promise<Direct>;
/** loadDecoder resolves to the fallback QR decoder (jsQR). */
export declare function loadDecoder(_edge: string): Promise<QRDecoder>;

import type { QRDecoder } from "./types.js";
/** The direct-mode module. */
export type Direct = typeof import("./direct.js");
/** The rarer paths' module. */
export type Extra = typeof import("./extra.js");
/** loadExtra returns the rarer paths' module, or a promise of it while it loads. */
export declare function loadExtra(_edge: string): Extra | Promise<Extra>;
/** loadDirect resolves to the direct-mode module. */
export declare function loadDirect(_edge: string): Promise<Direct>;
/** loadDecoder resolves to the fallback QR decoder (jsQR). */
export declare function loadDecoder(_edge: string): Promise<QRDecoder>;

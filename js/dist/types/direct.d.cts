import { type ModulePins } from "./pins.cjs";
/** The object the card module puts on globalThis.__sealpay_card. */
export interface CardCore {
    version: string;
    seal(req: string): Promise<string>;
    checkCard(req: string): Promise<string>;
}
/** The object the QR module puts on globalThis.__sealpay_qr. */
export interface QRCore {
    version: string;
    verifyQR(req: string): Promise<string>;
}
/** The card module. */
export declare const CARD: {
    readonly file: "sealpay.wasm";
    readonly ready: "__sealpay_card_ready";
};
/** The QR module. */
export declare const QR: {
    readonly file: "sealpay-qr.wasm";
    readonly ready: "__sealpay_qr_ready";
};
/**
 * loadModule loads one module once per page from base (e.g. "" or an edge
 * origin), fetching wasm_exec.js and the module against pins, and resolves
 * to the object it exposes when it signals readiness. A failure resets the
 * memo so a later call retries.
 */
export declare function loadModule(base: string, spec: typeof CARD, pins: ModulePins): Promise<CardCore>;
export declare function loadModule(base: string, spec: typeof QR, pins: ModulePins): Promise<QRCore>;
/** callCore runs one method with a JSON request and parses the JSON answer. */
export declare function callCore<T>(core: CardCore | QRCore, method: "seal" | "checkCard" | "verifyQR", req: unknown): Promise<T>;
/** The request of the card module's seal method (see sdk/bridge/cardbridge). */
export interface SealRequest {
    keys: {
        keys: unknown[];
    };
    card: unknown;
    merchant_id: string;
    origin: string;
    ttl: number;
}
/**
 * seal loads the card module from edge (once), checking it and
 * wasm_exec.js against the hashes built into this script, and seals a
 * card; it resolves to the envelope. The snippet pins this script (as
 * direct.js) by its hash; the npm package is pinned by the merchant's lock
 * file.
 */
export declare function seal(edge: string, req: SealRequest): Promise<string>;

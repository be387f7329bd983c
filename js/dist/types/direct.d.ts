/** The object the module puts on globalThis.__sealpay_core. */
export interface Core {
    version: string;
    seal(req: string): Promise<string>;
    checkCard(req: string): Promise<string>;
    verifyQR(req: string): Promise<string>;
}
/**
 * loadCore loads the module once per page from base (e.g. "" or an edge
 * origin) and resolves when it signals readiness. A failure resets the
 * memo so a later call retries.
 */
export declare function loadCore(base: string): Promise<Core>;
/** callCore runs one method with a JSON request and parses the JSON answer. */
export declare function callCore<T>(core: Core, method: "seal" | "checkCard" | "verifyQR", req: unknown): Promise<T>;
/** The request of the module's seal method (see sdk/bridge). */
export interface SealRequest {
    keys: {
        keys: unknown[];
    };
    card: unknown;
    merchant_id: string;
    origin: string;
    ttl: number;
}
/** seal loads the module from edge (once) and seals a card; it resolves to the envelope. */
export declare function seal(edge: string, req: SealRequest): Promise<string>;

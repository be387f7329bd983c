/**
 * The loader's code for rarer paths: the wallet button's messages and
 * update, tokenizeWallet and scanQR. The npm builds import it as usual;
 * the <script> build loads it from the edge as extra.js, pinned by its
 * Subresource Integrity hash, on first use (lazy-snippet.ts), which keeps
 * sealpay.js under its size budget (docs/browser.md, Sizes).
 *
 * Everything it needs from the loader comes in a {@link Lib}, never from
 * its own copy: a separately built chunk would otherwise throw errors of
 * another SealpayError class than the page's `Sealpay.SealpayError`.
 */
import type { Frame, FrameConfig } from "./element.cjs";
import type { SealpayError, SealpayUsageError } from "./errors.cjs";
import type { Command, FrameEvent } from "./protocol.cjs";
import type { ErrorCode, Locale, QRDecoder, QRVerdict, VerifyQROptions, QRSource, ScanQROptions, TokenResult, WalletButtonEventMap, WalletButtonOptions, WalletTokenInput, WalletTokenResult } from "./types.cjs";
/** What the chunk takes from the loader. */
export interface Lib {
    SealpayError: typeof SealpayError;
    SealpayUsageError: typeof SealpayUsageError;
    toSealpayError(e: unknown, fallback?: ErrorCode): SealpayError;
    httpError(res: Response, what: string): Promise<SealpayError>;
    pickToken(r: unknown): TokenResult;
    loadDecoder(edge: string): QRDecoder | Promise<QRDecoder>;
    Frame: typeof Frame;
    isLocale(s: unknown): s is Locale;
    LOCALES: readonly Locale[];
}
/** A mounted or unmounted wallet button, as the loader made it (element.ts). */
export interface WalletState {
    frame: {
        send<T>(command: Command): Promise<T>;
    };
    emit<K extends keyof WalletButtonEventMap>(name: K, payload: WalletButtonEventMap[K]): void;
    alive(verb: string): void;
    mounted(): boolean;
    googlePay: unknown;
    save?: boolean;
}
/**
 * pickWalletToken keeps only the documented members of a wallet token
 * result: a token result's, the wallet and the auth method.
 */
export declare function pickWalletToken(lib: Pick<Lib, "SealpayError" | "pickToken">, r: unknown): WalletTokenResult;
/**
 * walletEvent handles a wallet frame's event: on `ready` it sends the
 * Google Pay options (the frame answers with the wallets it shows); a
 * token keeps only its documented members.
 */
export declare function walletEvent(lib: Lib, w: WalletState, e: FrameEvent): void;
/** walletUpdate is WalletButton.update: new transaction info or save, sent to a mounted frame. */
export declare function walletUpdate(lib: Lib, w: WalletState, options: Partial<Pick<WalletButtonOptions, "googlePay" | "save">>): Promise<void>;
/** tokenizeWallet is Sealpay.tokenizeWallet, for the edge at edge with publishable key key. */
export declare function tokenizeWallet(lib: Lib, edge: string, key: string, input: WalletTokenInput): Promise<WalletTokenResult>;
/**
 * scanQR returns the text of the first QR code in source, or null:
 * BarcodeDetector where the browser has one, else the fallback decoder
 * (jsQR), loaded on first use.
 */
export declare function scanQR(lib: Lib, edge: string, source: QRSource, opts?: ScanQROptions): Promise<string | null>;
/** The hidden QR frame of one loaded Sealpay, made on its first verifyQR. */
export interface QRState {
    core?: Frame;
}
/** verifyQR is Sealpay.verifyQR: the payload checked in the hidden core frame. */
export declare function verifyQR(lib: Lib, cfg: FrameConfig, st: QRState, payload: string, options?: VerifyQROptions): Promise<QRVerdict>;

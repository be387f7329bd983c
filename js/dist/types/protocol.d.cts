/**
 * The postMessage protocol between the merchant's page ("parent") and the
 * edge's frame. Every message is a plain object tagged `sealpay: 1` with the
 * channel id the parent put in the frame's URL. Both sides check the sender:
 * the parent accepts messages only from the edge's origin and its frame's
 * window; the frame only from the parent origin named in its URL (which the
 * edge checked against the key's allowed origins) and `window.parent`.
 */
import type { CardBrand, CardField, SealpayErrorInfo, TokenResult, Wallet, WalletTokenResult } from "./types.cjs";
export declare const PROTOCOL = 1;
/**
 * Frame modes: visible card fields, a hidden core for QR checks, or wallet
 * buttons (Google Pay; the edge gives this mode alone the policy that lets
 * Google's pay.js run, and no card module).
 */
export type FrameMode = "card" | "core" | "wallet";
/** What the frame's URL carries (query string). */
export interface FrameParams {
    /** The parent page's origin; the edge checks it against the key. */
    origin: string;
    key: string;
    channel: string;
    mode: FrameMode;
    locale: string;
    merchant?: string;
    /** JSON of the (checked) style object. */
    style?: string;
    hideName?: boolean;
}
/** Commands the parent sends to the frame. */
export type Command = {
    type: "tokenize";
    save?: boolean;
} | {
    type: "verifyQR";
    payload: string;
    expect?: unknown;
    lang?: string;
} | {
    type: "focus";
} | {
    type: "clear";
} | {
    type: "wallet";
    googlePay: unknown;
    save?: boolean;
};
/** Parent → frame envelope. */
export interface CommandMessage {
    sealpay: typeof PROTOCOL;
    channel: string;
    id: number;
    command: Command;
}
/** Frame → parent messages. */
export type FrameEvent = {
    type: "ready";
    version: string; /** the card frame's title, localized */
    title?: string;
} | {
    type: "change";
    complete: boolean;
    empty: boolean;
    brand: CardBrand | null;
    error?: SealpayErrorInfo;
} | {
    type: "focus";
    field: CardField;
} | {
    type: "blur";
    field: CardField;
} | {
    type: "complete";
    brand: CardBrand;
} | {
    type: "error";
    error: SealpayErrorInfo;
} | {
    type: "resize";
    height: number;
} | {
    type: "token";
    value: WalletTokenResult;
} | {
    type: "cancel";
    wallet: Wallet;
} | {
    type: "result";
    id: number;
    ok: true;
    value: TokenResult | unknown;
} | {
    type: "result";
    id: number;
    ok: false;
    error: SealpayErrorInfo;
};
/** Frame → parent envelope. */
export type EventMessage = FrameEvent & {
    sealpay: typeof PROTOCOL;
    channel: string;
};
/** frameURL builds the frame's address on the edge. */
export declare function frameURL(edge: string, p: FrameParams): string;
/** parseFrameParams reads and checks the frame's own query string. */
export declare function parseFrameParams(search: string): FrameParams | null;
/** isOrigin reports whether s is a serialized https origin (or http on a loopback host). */
export declare function isOrigin(s: string): boolean;
/** isMessage reports whether data is a Sealpay protocol message on channel. */
export declare function isMessage(data: unknown, channel: string): data is {
    sealpay: 1;
    channel: string;
    [k: string]: unknown;
};
/** newChannel returns a random channel id. */
export declare function newChannel(): string;

import { type Command, type FrameEvent, type FrameMode } from "./protocol.js";
import type { Lib } from "./extra.js";
import type { CardElement, CardElementOptions, WalletButton, WalletButtonOptions } from "./types.js";
/** What a frame connection needs from the loaded Sealpay. */
export interface FrameConfig {
    edge: string;
    key: string;
    locale: string;
    merchant?: string;
}
/**
 * The card frame's height in CSS pixels, with and without the name row:
 * 2 px padding above and below, rows of label (16) + input (40) + error
 * text (16) with 2 px gaps, 8 px between rows. frame.ts's baseCSS fixes
 * these heights; the Chromium tests check the two agree.
 */
export declare const cardHeight: {
    readonly withName: 248;
    readonly withoutName: 164;
};
/** Frame is one iframe on the edge and its message channel. */
export declare class Frame {
    private readonly onEvent_;
    readonly channel: string;
    readonly iframe: HTMLIFrameElement;
    private readonly edgeOrigin_;
    private nextID_;
    private readonly waiting_;
    private readyPromise_;
    private resolveReady_;
    private listening_;
    constructor(cfg: FrameConfig, mode: FrameMode, extra: {
        style?: string;
        hideName?: boolean;
        locale?: string;
        height?: number;
    }, onEvent_: (e: FrameEvent) => void);
    /** listen starts accepting messages from the frame. */
    listen(): void;
    /** close stops listening and fails every pending command. */
    close(reason: string): void;
    /** ready resolves when the frame shows its fields (its module may still be loading). */
    ready(): Promise<void>;
    /**
     * send posts a command once the frame is ready and resolves with its
     * result. The timeout covers the wait for readiness too: a frame whose
     * script never runs (blocked, or refused by its integrity hash) must not
     * leave the caller waiting forever.
     */
    send<T>(command: Command): Promise<T>;
    private handle_;
}
/** createCardElement returns the hosted card fields for a loaded Sealpay. */
export declare function createCardElement(cfg: FrameConfig, opts: CardElementOptions, style: string | undefined): CardElement;
/** The wallet frame's height in CSS pixels unless the options say otherwise. */
export declare const walletHeight = 48;
/**
 * createWalletButton returns the wallet buttons' frame for a loaded
 * Sealpay; the caller checked the options. What it does with the frame's
 * messages and update is in extra.ts (loaded on first use in the <script>
 * build): on the frame's ready it sends the Google Pay options (again
 * after a remount), and the frame answers with the wallets it shows.
 * Messages that arrive while extra.ts loads wait for it, in order.
 */
export declare function createWalletButton(cfg: FrameConfig, opts: WalletButtonOptions & {
    locale?: string;
}, lib: Lib): WalletButton;

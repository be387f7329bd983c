// The <script> build's rarer paths (wallet button messages, tokenizeWallet,
// scanQR), served by the edge as /v1/extra.js and loaded by sealpay.js on
// first use (lazy-snippet.ts), pinned by its SRI hash. It carries the hash
// of qrdecode.js, which only its scanQR loads.
import * as extra from "./extra.js";

declare const __SEALPAY_QRDECODE_SRI__: string;

(globalThis as { __sealpay_extra?: unknown }).__sealpay_extra = { ...extra, qrdecodeSRI: __SEALPAY_QRDECODE_SRI__ };

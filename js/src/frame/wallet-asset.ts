// The wallet frame's Google Pay code, served by the edge as /v1/wallet.js:
// frame.js loads it (pinned by its SRI hash) only in mode=wallet, so the
// card and QR frames never download it.
import { GooglePay } from "./googlepay.js";

(globalThis as { __sealpay_gpay?: unknown }).__sealpay_gpay = GooglePay;

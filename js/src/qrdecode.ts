// The <script> build's fallback QR decoder, served by the edge as
// /v1/qrdecode.js and loaded by scanQR only in browsers without
// BarcodeDetector (lazy-snippet.ts). The npm builds import jsqr instead.
import jsQR from "jsqr";

(globalThis as { __sealpay_qrdecode?: unknown }).__sealpay_qrdecode = (
  data: Uint8ClampedArray,
  width: number,
  height: number,
): string | null => jsQR(data, width, height, { inversionAttempts: "attemptBoth" })?.data ?? null;

import type { QRSource, ScanQROptions } from "./types.js";
/** scanQR returns the text of the first QR code in source, or null. */
export declare function scanQR(edge: string, source: QRSource, opts?: ScanQROptions): Promise<string | null>;

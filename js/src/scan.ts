/**
 * Reading a QR code from a camera frame or an image: BarcodeDetector where
 * the browser has one, else a small decoder (jsQR) loaded on first use
 * (see lazy.ts).
 */
import { SealpayError, SealpayUsageError } from "./errors.js";
import { loadDecoder } from "./lazy.js";
import type { QRSource, ScanQROptions } from "./types.js";

type G = typeof globalThis & {
  BarcodeDetector?: {
    new (o: { formats: string[] }): { detect(s: unknown): Promise<Array<{ rawValue: string }>> };
    getSupportedFormats?(): Promise<string[]>;
  };
};

/** scanQR returns the text of the first QR code in source, or null. */
export async function scanQR(edge: string, source: QRSource, opts: ScanQROptions = {}): Promise<string | null> {
  if (!source || typeof source !== "object") {
    throw new SealpayUsageError("scanQR: pass a <video>, <img>, <canvas>, ImageBitmap or ImageData");
  }
  const g = globalThis as G;
  if (!opts.decoder && g.BarcodeDetector && !isImageData(source)) {
    const formats = (await g.BarcodeDetector.getSupportedFormats?.()) ?? ["qr_code"];
    if (formats.includes("qr_code")) {
      const found = await new g.BarcodeDetector({ formats: ["qr_code"] }).detect(source);
      return found[0]?.rawValue ?? null;
    }
  }
  const decode = opts.decoder ?? (await loadDecoder(edge));
  const img = pixels(source);
  return decode(img.data, img.width, img.height);
}

function isImageData(s: unknown): s is ImageData {
  return typeof ImageData === "function" && s instanceof ImageData;
}

function pixels(source: QRSource): ImageData {
  if (isImageData(source)) return source;
  const s = source as HTMLVideoElement & HTMLImageElement & HTMLCanvasElement;
  const width = s.videoWidth || s.naturalWidth || s.width;
  const height = s.videoHeight || s.naturalHeight || s.height;
  if (!width || !height) throw new SealpayError("qr_malformed", "scanQR: the source has no pixels yet (is the video playing, the image loaded?)");
  const canvas = document.createElement("canvas");
  canvas.width = width;
  canvas.height = height;
  const ctx = canvas.getContext("2d", { willReadFrequently: true });
  if (!ctx) throw new SealpayError("internal", "scanQR: no 2D canvas");
  ctx.drawImage(source as CanvasImageSource, 0, 0, width, height);
  return ctx.getImageData(0, 0, width, height);
}

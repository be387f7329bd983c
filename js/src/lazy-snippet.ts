/**
 * The <script> build's version of lazy.ts: direct.js, qrdecode.js and
 * extra.js are separate files on the edge, loaded on first use with the
 * Subresource Integrity hashes of this very build, so the snippet stays
 * small.
 */
import { SealpayError } from "./errors.js";
import type { Direct, Extra } from "./lazy.js";
import { assetURL } from "./pins.js";
import type { QRDecoder } from "./types.js";

declare const __SEALPAY_DIRECT_SRI__: string;
declare const __SEALPAY_EXTRA_SRI__: string;

const loading = new Map<string, Promise<unknown>>();

/** asset returns what file put on globalThis[global] once loaded, else a promise of it. */
function asset<T>(edge: string, file: string, integrity: string, global: string): T | Promise<T> {
  const g = globalThis as Record<string, unknown>;
  if (g[global]) return g[global] as T;
  let p = loading.get(file);
  if (!p) {
    p = new Promise<T>((resolve, reject) => {
      const s = document.createElement("script");
      s.src = assetURL(edge, file, integrity);
      s.integrity = integrity;
      s.crossOrigin = "anonymous";
      s.onload = () => (g[global] ? resolve(g[global] as T) : reject(new SealpayError("upstream_error", `Failed to load ${file}`)));
      s.onerror = () => reject(new SealpayError("upstream_error", `Failed to load ${file}`));
      document.head.appendChild(s);
    }).catch((e: unknown) => {
      loading.delete(file);
      throw e;
    });
    loading.set(file, p);
  }
  return p as Promise<T>;
}

export function loadDirect(edge: string): Direct | Promise<Direct> {
  return asset(edge, "direct.js", __SEALPAY_DIRECT_SRI__, "__sealpay_direct");
}

// Only scanQR, in extra.js, decodes, so qrdecode.js's hash is pinned there.
export function loadDecoder(edge: string): QRDecoder | Promise<QRDecoder> {
  const x = (globalThis as { __sealpay_extra?: { qrdecodeSRI?: string } }).__sealpay_extra;
  return asset(edge, "qrdecode.js", x?.qrdecodeSRI ?? "", "__sealpay_qrdecode");
}

export function loadExtra(edge: string): Extra | Promise<Extra> {
  return asset(edge, "extra.js", __SEALPAY_EXTRA_SRI__, "__sealpay_extra");
}

/**
 * The <script> build's version of lazy.ts: direct.js and qrdecode.js are
 * separate files on the edge, loaded on first use with the Subresource
 * Integrity hashes of this very build, so the snippet stays small.
 */
import { SealpayError } from "./errors.js";
import type { Direct } from "./lazy.js";
import { assetURL } from "./pins.js";
import type { QRDecoder } from "./types.js";

declare const __SEALPAY_DIRECT_SRI__: string;
declare const __SEALPAY_QRDECODE_SRI__: string;

const loading = new Map<string, Promise<unknown>>();

function asset<T>(edge: string, file: string, integrity: string, global: string): Promise<T> {
  const g = globalThis as Record<string, unknown>;
  if (g[global]) return Promise.resolve(g[global] as T);
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

export function loadDirect(edge: string): Promise<Direct> {
  return asset(edge, "direct.js", __SEALPAY_DIRECT_SRI__, "__sealpay_direct");
}

export function loadDecoder(edge: string): Promise<QRDecoder> {
  return asset(edge, "qrdecode.js", __SEALPAY_QRDECODE_SRI__, "__sealpay_qrdecode");
}

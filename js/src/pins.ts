/**
 * What this build pins: the Subresource Integrity hashes of wasm_exec.js
 * and the two WebAssembly modules, and (in the frame only) the QR registry
 * root keys. The JS build leaves placeholders; the module build
 * (js/scripts/build-wasm.mjs, or `sealpay demo`, both running
 * wasm/assets) builds the modules from the same sources for every
 * deployment and writes their hashes, and the deployment's roots, into
 * the copies of direct.js and frame.js that the edge serves (and the new
 * hash of direct.js into sealpay.js, which pins it). A script whose
 * placeholders were never filled loads no module at all.
 */
import { SealpayError } from "./errors.js";

declare const __SEALPAY_MODULE_PINS__: string;
declare const __SEALPAY_QR_ROOTS__: string;

/**
 * The SRI hashes ("sha384-…") of the files a module load fetches. Direct
 * mode (direct.js, the npm entries) carries wasm_exec.js and the card
 * module; the frame carries the QR module too. loadModule refuses to fetch a file
 * without its hash.
 */
export type ModulePins = Partial<Record<"wasm_exec.js" | "sealpay.wasm" | "sealpay-qr.wasm", string>>;

/** noPins is the error of a script whose placeholders were never filled. */
export const noPins = (what: string): SealpayError =>
  new SealpayError("internal", `Sealpay: this build of the script has no ${what} (see docs/browser.md)`);

/** modulePins returns this build's module hashes, or throws if it has none. */
export function modulePins(): ModulePins {
  try {
    const pins = JSON.parse(typeof __SEALPAY_MODULE_PINS__ === "string" ? __SEALPAY_MODULE_PINS__ : "") as unknown;
    if (pins && typeof pins === "object") return pins as ModulePins;
  } catch {
    // a placeholder, not JSON: this copy was never given its modules' hashes
  }
  throw noPins("module hashes");
}

/** qrRoots returns the QR registry roots (public JWKs) pinned in the frame's script. */
export function qrRoots(): unknown[] {
  try {
    const roots = JSON.parse(typeof __SEALPAY_QR_ROOTS__ === "string" ? __SEALPAY_QR_ROOTS__ : "") as unknown;
    if (Array.isArray(roots)) return roots;
  } catch {
    // a placeholder: built without the module build
  }
  throw noPins("QR roots");
}

/**
 * assetURL returns the content-addressed URL of an edge file pinned by its
 * SRI hash: `${base}/v1/c/{digest}/{file}`, digest being the hash's bytes
 * in base64url (what wasm/assets names the file by). The edge caches these
 * for a year as immutable and answers 404 to any other digest, so a return
 * visit moves none of the file's bytes.
 */
export function assetURL(base: string, file: string, integrity: string): string {
  const digest = integrity.slice(integrity.indexOf("-") + 1).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  return `${base}/v1/c/${digest}/${file}`;
}

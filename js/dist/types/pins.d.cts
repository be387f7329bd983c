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
import { SealpayError } from "./errors.cjs";
/**
 * The SRI hashes ("sha384-…") of the files a module load fetches. Direct
 * mode (direct.js, the npm entries) carries wasm_exec.js and the card
 * module; the frame carries the QR module too. loadModule refuses to fetch a file
 * without its hash.
 */
export type ModulePins = Partial<Record<"wasm_exec.js" | "sealpay.wasm" | "sealpay-qr.wasm", string>>;
/** noPins is the error of a script whose placeholders were never filled. */
export declare const noPins: (what: string) => SealpayError;
/** modulePins returns this build's module hashes, or throws if it has none. */
export declare function modulePins(): ModulePins;
/** qrRoots returns the QR registry roots (public JWKs) pinned in the frame's script. */
export declare function qrRoots(): unknown[];
/**
 * assetURL returns the content-addressed URL of an edge file pinned by its
 * SRI hash: `${base}/v1/c/{digest}/{file}`, digest being the hash's bytes
 * in base64url (what wasm/assets names the file by). The edge caches these
 * for a year as immutable and answers 404 to any other digest, so a return
 * visit moves none of the file's bytes.
 */
export declare function assetURL(base: string, file: string, integrity: string): string;

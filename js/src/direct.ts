/**
 * Direct mode and the frame's engine: loading Sealpay's Go WebAssembly
 * modules — wasm_exec.js (copied from the Go toolchain that built them)
 * and the card module (sealpay.wasm: seal, checkCard) or the QR module
 * (sealpay-qr.wasm: verifyQR) — each fetched against the Subresource
 * Integrity hash the caller pins, then waiting for the module to say it is
 * ready. Used by the frame (same origin as the modules) and by direct mode
 * (the merchant's page; its CSP needs 'wasm-unsafe-eval').
 */
import { SealpayError, toSealpayError } from "./errors.js";
import { assetURL, modulePins, noPins, type ModulePins } from "./pins.js";
import { VERSION } from "./version.js";

/** The object the card module puts on globalThis.__sealpay_card. */
export interface CardCore {
  version: string;
  seal(req: string): Promise<string>;
  checkCard(req: string): Promise<string>;
}

/** The object the QR module puts on globalThis.__sealpay_qr. */
export interface QRCore {
  version: string;
  verifyQR(req: string): Promise<string>;
}

/**
 * A module: its file on the edge, and the global callback it calls with its
 * object once ready (see wasm/). The object is taken only from that call,
 * never from a global some other script could have set first.
 */
interface ModuleSpec {
  readonly file: "sealpay.wasm" | "sealpay-qr.wasm";
  readonly ready: string;
}

/** The card module. */
export const CARD = { file: "sealpay.wasm", ready: "__sealpay_card_ready" } as const;
/** The QR module. */
export const QR = { file: "sealpay-qr.wasm", ready: "__sealpay_qr_ready" } as const;

interface GoInstance {
  importObject: WebAssembly.Imports;
  run(instance: WebAssembly.Instance): Promise<void>;
}
type GoClass = new () => GoInstance;

const pending = new Map<string, Promise<unknown>>();
let goClass: Promise<GoClass> | null = null;

/**
 * loadModule loads one module once per page from base (e.g. "" or an edge
 * origin), fetching wasm_exec.js and the module against pins, and resolves
 * to the object it exposes when it signals readiness. A failure resets the
 * memo so a later call retries.
 */
export function loadModule(base: string, spec: typeof CARD, pins: ModulePins): Promise<CardCore>;
export function loadModule(base: string, spec: typeof QR, pins: ModulePins): Promise<QRCore>;
export function loadModule(base: string, spec: ModuleSpec, pins: ModulePins): Promise<unknown> {
  let p = pending.get(spec.file);
  if (!p) {
    p = start(base, spec, pins).catch((e: unknown) => {
      pending.delete(spec.file);
      throw e;
    });
    pending.set(spec.file, p);
  }
  return p;
}

async function start(base: string, spec: ModuleSpec, pins: ModulePins): Promise<unknown> {
  const g = globalThis as unknown as Record<string, unknown>;
  // Fail closed: a file is fetched only against the hash this build pins.
  const pinned = (f: keyof ModulePins): string => {
    const h = pins[f];
    if (typeof h !== "string" || !h.startsWith("sha384-")) throw noPins(`hash for ${f}`);
    return h;
  };
  const execPin = pinned("wasm_exec.js");
  const modulePin = pinned(spec.file);
  if (typeof WebAssembly !== "object") {
    throw new SealpayError("internal", "Sealpay: this browser has no WebAssembly");
  }
  const Go = await loadGo(base, execPin);
  const go = new Go();
  let instance: WebAssembly.Instance;
  try {
    instance = await instantiate(assetURL(base, spec.file, modulePin), modulePin, go.importObject);
  } catch (cause) {
    // A page whose Content-Security-Policy lacks 'wasm-unsafe-eval' gets a
    // CompileError from the browser before any byte is compiled; a module
    // whose bytes do not match the pinned hash fails the fetch (TypeError).
    const hint = cause instanceof WebAssembly.CompileError
      ? ": the browser refused to compile it; if this page's Content-Security-Policy has no 'wasm-unsafe-eval' in script-src, add it there or use the hosted card fields (cardElement), which need none"
      : "";
    throw new SealpayError("upstream_error", `Failed to load ${spec.file}${hint}`, { cause });
  }
  const core = await new Promise<{ version: string }>((resolve, reject) => {
    g[spec.ready] = resolve;
    go.run(instance).then(
      () => reject(new SealpayError("internal", `${spec.file} exited`)),
      (cause: unknown) => reject(new SealpayError("internal", `${spec.file} crashed`, { cause })),
    );
  });
  delete g[spec.ready];
  if (core.version !== VERSION) {
    console.warn(`Sealpay: ${spec.file} is version ${core.version}, this script is ${VERSION}; update the edge or the package`);
  }
  return core;
}

/**
 * loadGo loads the pinned wasm_exec.js once per page and keeps the Go class
 * it defines, so a later script that redefines globalThis.Go changes
 * nothing for Sealpay.
 */
function loadGo(base: string, integrity: string): Promise<GoClass> {
  if (!goClass) {
    const g = globalThis as { Go?: GoClass };
    goClass = loadScript(assetURL(base, "wasm_exec.js", integrity), integrity).then(() => {
      if (typeof g.Go !== "function") throw new SealpayError("internal", "Failed to load wasm_exec.js: it defined no Go class");
      return g.Go;
    }).catch((e: unknown) => {
      goClass = null;
      throw e;
    });
  }
  return goClass;
}

async function instantiate(url: string, integrity: string, imports: WebAssembly.Imports): Promise<WebAssembly.Instance> {
  // integrity makes the browser check the bytes before the response body
  // completes: a module that is not the one this script pins never runs.
  // Credentials "same-origin" (none cross-origin) match the frame's
  // <link rel=preload crossorigin=anonymous>, so the preloaded response is
  // the one used instead of a second download.
  const res = await fetch(url, { credentials: "same-origin", integrity });
  if (!res.ok) throw new Error(`HTTP ${res.status}`);
  if (typeof WebAssembly.instantiateStreaming === "function" && res.headers.get("content-type") === "application/wasm") {
    return (await WebAssembly.instantiateStreaming(res, imports)).instance;
  }
  return (await WebAssembly.instantiate(await res.arrayBuffer(), imports)).instance;
}

function loadScript(src: string, integrity: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const s = document.createElement("script");
    s.src = src;
    s.integrity = integrity;
    s.async = true;
    s.crossOrigin = "anonymous";
    s.onload = () => resolve();
    s.onerror = () => reject(new SealpayError("upstream_error", "Failed to load wasm_exec.js"));
    document.head.appendChild(s);
  });
}

/** callCore runs one method with a JSON request and parses the JSON answer. */
export async function callCore<T>(core: CardCore | QRCore, method: "seal" | "checkCard" | "verifyQR", req: unknown): Promise<T> {
  try {
    const f = (core as unknown as Record<string, (req: string) => Promise<string>>)[method];
    if (typeof f !== "function") throw new SealpayError("internal", `Sealpay: the module has no ${method}`);
    return JSON.parse(await f.call(core, JSON.stringify(req))) as T;
  } catch (e) {
    throw toSealpayError(e);
  }
}

/** The request of the card module's seal method (see sdk/bridge/cardbridge). */
export interface SealRequest {
  keys: { keys: unknown[] };
  card: unknown;
  merchant_id: string;
  origin: string;
  ttl: number;
}

/**
 * seal loads the card module from edge (once), checking it and
 * wasm_exec.js against the hashes built into this script, and seals a
 * card; it resolves to the envelope. The snippet pins this script (as
 * direct.js) by its hash; the npm package is pinned by the merchant's lock
 * file.
 */
export async function seal(edge: string, req: SealRequest): Promise<string> {
  const core = await loadModule(edge, CARD, modulePins());
  return (await callCore<{ envelope: string }>(core, "seal", req)).envelope;
}

/**
 * Direct mode and the frame's engine. Loading the Go WebAssembly module: wasm_exec.js (copied from the Go
 * toolchain that built the module) and sealpay.wasm, then waiting for the
 * module to say it is ready. Used by the frame (same origin as the module)
 * and by direct mode (the merchant's page; its CSP needs 'wasm-unsafe-eval').
 */
import { SealpayError, toSealpayError } from "./errors.js";
import { VERSION } from "./version.js";

/** The object the module puts on globalThis.__sealpay_core. */
export interface Core {
  version: string;
  seal(req: string): Promise<string>;
  checkCard(req: string): Promise<string>;
  verifyQR(req: string): Promise<string>;
}

interface GoInstance {
  importObject: WebAssembly.Imports;
  run(instance: WebAssembly.Instance): Promise<void>;
}

type G = typeof globalThis & {
  Go?: new () => GoInstance;
  __sealpay_core?: Core;
  __sealpay_ready?: (core: Core) => void;
};

let pending: Promise<Core> | null = null;

/**
 * loadCore loads the module once per page from base (e.g. "" or an edge
 * origin) and resolves when it signals readiness. A failure resets the
 * memo so a later call retries.
 */
export function loadCore(base: string): Promise<Core> {
  if (!pending) {
    pending = start(base).catch((e: unknown) => {
      pending = null;
      throw e;
    });
  }
  return pending;
}

async function start(base: string): Promise<Core> {
  const g = globalThis as G;
  if (g.__sealpay_core) return g.__sealpay_core;
  if (typeof WebAssembly !== "object") {
    throw new SealpayError("internal", "Sealpay: this browser has no WebAssembly");
  }
  if (!g.Go) await loadScript(`${base}/v1/wasm_exec.js`);
  if (!g.Go) throw new SealpayError("internal", "Failed to load wasm_exec.js: it defined no Go class");
  const go = new g.Go();
  let instance: WebAssembly.Instance;
  try {
    instance = await instantiate(`${base}/v1/sealpay.wasm`, go.importObject);
  } catch (cause) {
    // A page whose Content-Security-Policy lacks 'wasm-unsafe-eval' gets a
    // CompileError from the browser before any byte is compiled.
    const hint = cause instanceof WebAssembly.CompileError
      ? ": the browser refused to compile it; if this page's Content-Security-Policy has no 'wasm-unsafe-eval' in script-src, add it there or use the hosted card fields (cardElement), which need none"
      : "";
    throw new SealpayError("upstream_error", `Failed to load sealpay.wasm${hint}`, { cause });
  }
  const ready = new Promise<Core>((resolve, reject) => {
    g.__sealpay_ready = resolve;
    go.run(instance).then(
      () => reject(new SealpayError("internal", "sealpay.wasm exited")),
      (cause: unknown) => reject(new SealpayError("internal", "sealpay.wasm crashed", { cause })),
    );
  });
  const core = await ready;
  delete g.__sealpay_ready;
  if (core.version !== VERSION) {
    console.warn(`Sealpay: sealpay.wasm is version ${core.version}, this script is ${VERSION}; update the edge or the package`);
  }
  return core;
}

async function instantiate(url: string, imports: WebAssembly.Imports): Promise<WebAssembly.Instance> {
  const res = await fetch(url, { credentials: "omit" });
  if (!res.ok) throw new Error(`HTTP ${res.status}`);
  if (typeof WebAssembly.instantiateStreaming === "function" && res.headers.get("content-type") === "application/wasm") {
    return (await WebAssembly.instantiateStreaming(res, imports)).instance;
  }
  return (await WebAssembly.instantiate(await res.arrayBuffer(), imports)).instance;
}

function loadScript(src: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const s = document.createElement("script");
    s.src = src;
    s.async = true;
    s.crossOrigin = "anonymous";
    s.onload = () => resolve();
    s.onerror = () => reject(new SealpayError("upstream_error", `Failed to load ${src}`));
    document.head.appendChild(s);
  });
}

/** callCore runs one method with a JSON request and parses the JSON answer. */
export async function callCore<T>(core: Core, method: "seal" | "checkCard" | "verifyQR", req: unknown): Promise<T> {
  try {
    return JSON.parse(await core[method](JSON.stringify(req))) as T;
  } catch (e) {
    throw toSealpayError(e);
  }
}

/** The request of the module's seal method (see sdk/bridge). */
export interface SealRequest {
  keys: { keys: unknown[] };
  card: unknown;
  merchant_id: string;
  origin: string;
  ttl: number;
}

/** seal loads the module from edge (once) and seals a card; it resolves to the envelope. */
export async function seal(edge: string, req: SealRequest): Promise<string> {
  const core = await loadCore(edge);
  return (await callCore<{ envelope: string }>(core, "seal", req)).envelope;
}

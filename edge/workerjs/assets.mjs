// The browser assets in the Worker: the snippet, the frame's script,
// wasm_exec.js and the two WebAssembly modules, answered at GET /v1/{name}
// with the bytes and headers of the native server (edge/assets.go), which
// the shared suite checks on both (edge/edgetest/assets.go).
//
// The files are Workers static assets (wrangler.toml [assets], the
// directory edge/build.sh writes), read through the ASSETS binding, so
// app.wasm does not carry them and Go never copies them: the modules are
// 4-5 MB each. The platform cannot send them itself with the native
// headers — the cache policy depends on ?v=, the ETag is the native one —
// so wrangler.toml runs the Worker first and this module sets the headers.
//
// frame.html is Go's: its Content-Security-Policy names the origins of the
// merchant whose key is in ?key=, from the configuration. Go reads it from
// the same binding (edge/worker/assets_js.go) and answers exactly as the
// native server does.

/** The assets this module answers and their types: edge/assets.go's assetTypes, less frame.html. */
export const assetTypes = {
  "sealpay.js": "text/javascript; charset=utf-8",
  "frame.js": "text/javascript; charset=utf-8",
  "direct.js": "text/javascript; charset=utf-8",
  "qrdecode.js": "text/javascript; charset=utf-8",
  "sealpay.wasm": "application/wasm",
  "sealpay-qr.wasm": "application/wasm",
  "wasm_exec.js": "text/javascript; charset=utf-8",
};

const immutable = "public, max-age=31536000, immutable";
const revalidate = "public, max-age=300, must-revalidate";

export class Assets {
  #files = new Map();

  /**
   * @param {Record<string, string>} digests  hex SHA-256 of each file in the
   *   assets directory, by name (build/assets.json, written by edge/build.sh)
   */
  constructor(digests) {
    for (const [name, type] of Object.entries(assetTypes)) {
      const hex = digests[name];
      if (typeof hex !== "string" || !/^[0-9a-f]{64}$/.test(hex)) continue;
      // The native ETag: the first 16 bytes of the SHA-256, in hex.
      this.#files.set(name, { type, etag: `"${hex.slice(0, 32)}"` });
    }
  }

  /**
   * serve answers a request for one of the assets, or returns null for
   * every other request (and for all of them without an ASSETS binding),
   * which the caller hands to Go.
   * @param {Request} request
   * @param {{ASSETS?: {fetch: (input: string | URL | Request) => Promise<Response>}}} env
   * @returns {Promise<Response> | null}
   */
  serve(request, env) {
    if ((request.method !== "GET" && request.method !== "HEAD") || !env.ASSETS) return null;
    const url = new URL(request.url);
    const name = assetName(url.pathname);
    const file = name && this.#files.get(name);
    if (!file) return null;
    return this.#answer(request, env.ASSETS, url, name, file);
  }

  async #answer(request, assets, url, name, file) {
    const headers = new Headers({
      "Content-Type": file.type,
      "X-Content-Type-Options": "nosniff",
      ETag: file.etag,
      "Cache-Control": queryValue(url.search.slice(1), "v") ? immutable : revalidate,
      // Scripts and the modules may be loaded cross-origin by the merchant's page.
      "Access-Control-Allow-Origin": "*",
      "Cross-Origin-Resource-Policy": "cross-origin",
    });
    if (noneMatch(request.headers.get("If-None-Match"), file.etag)) {
      headers.delete("Content-Type"); // as net/http does for a 304 (RFC 9110 §15.4.5)
      return new Response(null, { status: 304, headers });
    }
    if (request.method === "HEAD") return new Response(null, { status: 200, headers });
    // A plain GET: no Range, no conditional headers, so the whole file.
    const res = await assets.fetch(new URL(`/v1/${name}`, url));
    if (res.status !== 200) {
      // build.sh listed the file, so the upload lost it: fail loudly.
      await res.body?.cancel();
      throw new Error(`edge: static asset ${name} answered ${res.status}`);
    }
    return new Response(res.body, { status: 200, headers });
  }
}

/**
 * noneMatch reports whether an If-None-Match field (RFC 9110 §13.1.2) names
 * etag: "*", or a list one of whose tags is etag by weak comparison
 * (W/"x" matches "x"), as edge/assets.go decides it. Headers joins repeated
 * fields with ", ", so one split covers them.
 * @param {string | null} field
 * @param {string} etag
 */
function noneMatch(field, etag) {
  if (!field) return false;
  return field.split(",").some((t) => {
    t = t.trim();
    return t === "*" || (t.startsWith("W/") ? t.slice(2) : t) === etag;
  });
}

/**
 * assetName returns the file name of a /v1/{name} path, percent-decoded as
 * Go's router decodes it, or "" for any other path.
 * @param {string} pathname
 */
export function assetName(pathname) {
  if (!pathname.startsWith("/v1/")) return "";
  const rest = pathname.slice(4);
  if (rest.includes("/")) return "";
  try {
    return decodeURIComponent(rest);
  } catch {
    return "";
  }
}

/**
 * queryValue returns the first value of key in a raw query string, parsed
 * as the native server parses it (Go's url.ParseQuery): pairs are split at
 * "&", a pair holding ";" or a malformed escape is skipped, "+" is a space.
 * Values are binary strings; undefined when key is absent.
 * @param {string} raw  the query without "?"
 * @param {string} key
 */
export function queryValue(raw, key) {
  for (const pair of raw.split("&")) {
    if (pair === "" || pair.includes(";")) continue;
    const eq = pair.indexOf("=");
    const k = queryUnescape(eq < 0 ? pair : pair.slice(0, eq));
    const v = queryUnescape(eq < 0 ? "" : pair.slice(eq + 1));
    if (k === null || v === null) continue;
    if (k === key) return v;
  }
  return undefined;
}

/** queryUnescape is Go's url.QueryUnescape to a binary string, or null for a malformed escape. */
function queryUnescape(s) {
  if (/%(?![0-9A-Fa-f]{2})/.test(s)) return null;
  return s.replace(/\+/g, " ").replace(/%([0-9A-Fa-f]{2})/g, (_, h) => String.fromCharCode(parseInt(h, 16)));
}

// The browser assets in the Worker: the snippet, the frame's script,
// wasm_exec.js and the two WebAssembly modules, answered at GET /v1/{name}
// and at their content-addressed GET /v1/c/{digest}/{name} with the bytes
// and headers of the native server (edge/assets.go), which the shared
// suite checks on both (edge/edgetest/assets.go).
//
// The files are Workers static assets (wrangler.toml [assets], the
// directory edge/build.sh writes), each beside its brotli (.br) and gzip
// (.gz) copy made at build time (wasm/assets), read through the ASSETS
// binding, so app.wasm does not carry them and Go never copies them. The
// entry picks the representation from Accept-Encoding as the native server
// does (RFC 9110 §12.5.3) and sends the compressed bytes as they are
// (encodeBody "manual"), so the runtime compresses nothing per request.
//
// frame.html is Go's: its Content-Security-Policy names the origins of the
// merchant whose key is in ?key=, from the configuration. Go reads it (and
// its copies) from the same binding (edge/worker/assets_js.go) and answers
// exactly as the native server does.

/** The assets this module answers and their types: edge/assets.go's assetTypes, less frame.html. */
export const assetTypes = {
  "sealpay.js": "text/javascript; charset=utf-8",
  "frame.js": "text/javascript; charset=utf-8",
  "direct.js": "text/javascript; charset=utf-8",
  "qrdecode.js": "text/javascript; charset=utf-8",
  "extra.js": "text/javascript; charset=utf-8",
  "wallet.js": "text/javascript; charset=utf-8",
  "sealpay.wasm": "application/wasm",
  "sealpay-qr.wasm": "application/wasm",
  "wasm_exec.js": "text/javascript; charset=utf-8",
};

const immutable = "public, max-age=31536000, immutable";
const revalidate = "public, max-age=300, must-revalidate";

/** The codings served, most preferred first, with their files' suffixes (edge/contentcoding). */
export const codings = [
  { name: "br", suffix: ".br" },
  { name: "gzip", suffix: ".gz" },
  { name: "identity", suffix: "" },
];

export class Assets {
  #files = new Map();

  /**
   * @param {{files?: Record<string, {sha256: string, digest: string, codings: Record<string, number>}>}} manifest
   *   what wasm/assets built (its manifest.json, copied to build/assets.json
   *   by edge/build.sh): per file, its SHA-256, content address and the
   *   length of each representation
   */
  constructor(manifest) {
    for (const [name, type] of Object.entries(assetTypes)) {
      const f = manifest?.files?.[name];
      if (!f || typeof f.sha256 !== "string" || !/^[0-9a-f]{64}$/.test(f.sha256) || typeof f.digest !== "string") continue;
      const reps = [];
      for (const c of codings) {
        const length = f.codings?.[c.name];
        if (!Number.isSafeInteger(length) || length < 0) continue;
        // The native ETags: the first 16 bytes of the SHA-256 in hex, and
        // the coding for a compressed representation.
        const tag = f.sha256.slice(0, 32) + (c.name === "identity" ? "" : `-${c.name}`);
        reps.push({ coding: c.name, suffix: c.suffix, length, etag: `"${tag}"` });
      }
      if (reps.length > 0) this.#files.set(name, { type, digest: f.digest, reps });
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
    const path = assetPath(url.pathname);
    const file = path && this.#files.get(path.name);
    if (!file) return null;
    if (path.digest !== undefined && path.digest !== file.digest) {
      return Promise.resolve(errorResponse(404, "not_found", "edge: not found"));
    }
    return this.#answer(request, env.ASSETS, url, path, file);
  }

  async #answer(request, assets, url, path, file) {
    const rep = negotiate(clientAcceptEncoding(request), file.reps);
        if (!rep) {
      return errorResponse(406, "not_acceptable", "edge: no acceptable content coding (the edge sends br, gzip or identity)");
    }
    const headers = new Headers({
      "X-Content-Type-Options": "nosniff",
      Vary: "Accept-Encoding",
      "Cache-Control": path.digest !== undefined ? immutable : revalidate,
      // Scripts and the modules may be loaded cross-origin by the merchant's page.
      "Access-Control-Allow-Origin": "*",
      "Cross-Origin-Resource-Policy": "cross-origin",
      ETag: rep.etag,
    });
    if (noneMatch(request.headers.get("If-None-Match"), rep.etag)) {
      return new Response(null, { status: 304, headers });
    }
    headers.set("Content-Type", file.type);
    if (rep.coding !== "identity") headers.set("Content-Encoding", rep.coding);
    headers.set("Content-Length", String(rep.length));
    if (request.method === "HEAD") return new Response(null, { status: 200, headers, encodeBody: "manual" });
    // A plain GET: no Range, no conditional headers, so the whole file.
    const res = await assets.fetch(new URL(`/v1/${path.name}${rep.suffix}`, url));
    if (res.status !== 200) {
      // build.sh copied the file, so the upload lost it: fail loudly.
      await res.body?.cancel();
      throw new Error(`edge: static asset ${path.name}${rep.suffix} answered ${res.status}`);
    }
    // "manual": the body is in the coding Content-Encoding names already.
    return new Response(res.body, { status: 200, headers, encodeBody: "manual" });
  }
}

/**
 * clientAcceptEncoding is the Accept-Encoding the client sent. Cloudflare
 * (and wrangler dev) hands the Worker "br, gzip" in its place and keeps
 * the client's own field in request.cf.clientAcceptEncoding — "" when the
 * client sent none, so an empty field counts as none here. The runtime
 * re-encodes a response in a coding the client did not accept.
 * @param {Request} request
 */
export function clientAcceptEncoding(request) {
  const cf = request.cf?.clientAcceptEncoding;
  if (typeof cf === "string") return cf === "" ? null : cf;
  return request.headers.get("Accept-Encoding");
}

/**
 * errorResponse is the native server's JSON error (edge/respond.go's
 * writeError), byte for byte.
 */
function errorResponse(status, code, message) {
  // "manual": sent as it is, not compressed for the client, as natively.
  return new Response(JSON.stringify({ error: { code, message } }) + "\n", {
    status,
    encodeBody: "manual",
    headers: {
      "Content-Type": "application/json; charset=utf-8",
      "X-Content-Type-Options": "nosniff",
      "Cache-Control": "no-store",
    },
  });
}

/**
 * negotiate picks the representation for an Accept-Encoding field as
 * edge/contentcoding.Negotiate does (RFC 9110 §12.5.3): no field accepts
 * anything; otherwise the highest weight wins, ties going to the earlier
 * coding; "*" weighs the codings not named; identity is acceptable unless
 * refused; "x-gzip" is gzip; a malformed member is ignored. Headers joins
 * repeated fields with ", ", so one split covers them. null: none.
 * @param {string | null} field
 * @param {{coding: string}[]} reps
 */
export function negotiate(field, reps) {
  if (field === null) return reps[0] ?? null;
  const weights = new Map();
  let star = -1;
  for (const m of field.split(",")) {
    const parsed = parseMember(m);
    if (!parsed) continue;
    if (parsed.name === "*") star = parsed.q;
    else weights.set(parsed.name === "x-gzip" ? "gzip" : parsed.name, parsed.q);
  }
  let best = null;
  let bestQ = 0;
  for (const r of reps) {
    let q;
    if (weights.has(r.coding)) q = weights.get(r.coding);
    else if (star >= 0) q = star;
    else q = r.coding === "identity" ? 1 : 0; // acceptable, below any named coding
    if (q > bestQ) {
      best = r;
      bestQ = q;
    }
  }
  return best;
}

/** parseMember parses "coding[;q=weight]" into its name and weight in thousandths, or null. */
function parseMember(m) {
  const semi = m.indexOf(";");
  const name = (semi < 0 ? m : m.slice(0, semi)).trim().toLowerCase();
  if (name === "" || !/^[a-z0-9!#$%&'*+.^_`|~-]+$/.test(name)) return null;
  if (semi < 0) return { name, q: 1000 };
  const params = m.slice(semi + 1).trim();
  const eq = params.indexOf("=");
  if (eq < 0 || params.slice(0, eq).trim().toLowerCase() !== "q") return null;
  const v = params.slice(eq + 1).trim();
  const match = /^(?:(0)(?:\.([0-9]{0,3}))?|(1)(?:\.(0{0,3}))?)$/.exec(v);
  if (!match) return null;
  if (match[3] === "1") return { name, q: 1000 };
  return { name, q: Number((match[2] ?? "").padEnd(3, "0")) };
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
 * assetPath returns the file name (and, for /v1/c/{digest}/{name}, the
 * digest) of an asset path, percent-decoded as Go's router decodes it, or
 * null for any other path.
 * @param {string} pathname
 * @returns {{name: string, digest?: string} | null}
 */
export function assetPath(pathname) {
  if (!pathname.startsWith("/v1/")) return null;
  const segs = pathname.slice(4).split("/");
  try {
    if (segs.length === 1) return { name: decodeURIComponent(segs[0]) };
    if (segs.length === 3 && segs[0] === "c" && segs[1] !== "" && segs[2] !== "") {
      return { name: decodeURIComponent(segs[2]), digest: decodeURIComponent(segs[1]) };
    }
  } catch {
    // a malformed escape: not an asset
  }
  return null;
}

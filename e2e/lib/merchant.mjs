// The merchant's web server for the browser tests: a tiny Node http server
// on its own loopback port — another origin than the edge — serving the
// test pages of e2e/pages with the Content-Security-Policy each page
// declares, and collecting the CSP violation reports browsers send.
//
// A page names its policy in its first line:
//
//   <!-- csp: default-src 'none'; script-src 'self' {{SNIPPET_SRI}}; … -->
//
// {{NAME}} placeholders in the page and in its policy are filled from
// `vars` (set them once the edge is up): EDGE, PK, SNIPPET_SRI, …. The
// server adds "report-uri /csp-report" to every policy.
import { createServer } from "node:http";
import { readFileSync } from "node:fs";
import { dirname, join, normalize, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";

const PAGES = resolve(dirname(fileURLToPath(import.meta.url)), "..", "pages");

const types = { ".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8" };

/** fill replaces {{NAME}} with vars[NAME]; an unknown name is an error, not an empty string. */
function fill(text, vars, where) {
  return text.replace(/\{\{([A-Z_]+)\}\}/g, (_, name) => {
    if (!(name in vars)) throw new Error(`${where}: no value for {{${name}}}`);
    return String(vars[name]);
  });
}

/**
 * startMerchant serves e2e/pages on 127.0.0.1 at a free port. extra maps
 * paths to [content-type, bytes] for files a test wants served as they are
 * (e.g. a tampered copy of a script).
 */
export async function startMerchant() {
  const vars = {};
  const extra = new Map();
  const reports = [];
  const server = createServer((req, res) => {
    const url = new URL(req.url, "http://merchant.invalid");
    if (req.method === "POST" && url.pathname === "/csp-report") {
      let body = "";
      req.on("data", (d) => (body += d));
      req.on("end", () => {
        try {
          reports.push(JSON.parse(body)["csp-report"] ?? JSON.parse(body));
        } catch {
          reports.push({ unparsed: body });
        }
        res.writeHead(204).end();
      });
      return;
    }
    if (req.method !== "GET") return void res.writeHead(405).end();
    try {
      if (extra.has(url.pathname)) {
        const [type, bytes] = extra.get(url.pathname);
        res.writeHead(200, { "content-type": type, "cache-control": "no-store" }).end(bytes);
        return;
      }
      const file = normalize(join(PAGES, url.pathname));
      if (!file.startsWith(PAGES + sep)) return void res.writeHead(404).end();
      const ext = file.slice(file.lastIndexOf("."));
      if (!types[ext]) return void res.writeHead(404).end();
      let text = readFileSync(file, "utf8");
      const headers = { "content-type": types[ext], "cache-control": "no-store", "x-content-type-options": "nosniff" };
      if (ext === ".html") {
        text = fill(text, vars, url.pathname);
        const m = /^<!--\s*csp:\s*([^]*?)\s*-->\n/.exec(text);
        if (!m) throw new Error(`${url.pathname} declares no CSP in its first line`);
        headers["content-security-policy"] = `${m[1].replace(/\s+/g, " ")}; report-uri /csp-report`;
        text = text.slice(m[0].length);
      }
      res.writeHead(200, headers).end(text);
    } catch (e) {
      res.writeHead(e.code === "ENOENT" ? 404 : 500, { "content-type": "text/plain" }).end(e.code === "ENOENT" ? "not found" : String(e.message));
    }
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  const origin = `http://127.0.0.1:${server.address().port}`;
  return {
    origin,
    /** vars fill the pages' {{NAME}} placeholders. */
    vars,
    /** serve makes path answer with bytes as they are. */
    serve: (path, type, bytes) => extra.set(path, [type, bytes]),
    /** reports are the CSP violation reports received so far. */
    reports,
    stop: () => new Promise((r) => {
      server.closeAllConnections();
      server.close(() => r());
    }),
  };
}

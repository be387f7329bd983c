// The Sealpay edge Worker's entry: it runs the Go module app.wasm (built
// from edge/worker) and keeps its instances alive between requests
// (pool.mjs says how and why). It replaces the worker.mjs that
// github.com/syumai/workers' workers-assets-gen writes, which starts a new
// Go runtime for every request.
//
// edge/build.sh copies this file, pool.mjs and assets.mjs into
// edge/build/, next to wasm_exec.js (from the Go toolchain that built
// app.wasm, unmodified) and assets.json. The browser assets' requests are
// answered by assets.mjs from Workers static assets, without Go, except
// frame.html's (its policy comes from the configuration).
//
// How Go finds the Worker: syumai/workers reads the global "context" once,
// while the Go program initialises, and keeps that object. Its "binding"
// receives handleRequest (workers.ServeNonBlock); "env" and "ctx" are read
// on every use (cloudflare.Getenv, the D1 driver, cloudflare.WaitUntil),
// so the pool sets them before each request; "connect" is for
// cloudflare/sockets. Go calls workers.ready once its handler is set up.
import "./wasm_exec.js";
import { connect } from "cloudflare:sockets";
import mod from "./app.wasm";
import manifest from "./assets.json";
import { Assets, clientAcceptEncoding } from "./assets.mjs";
import { Pool, internalError } from "./pool.mjs";
import * as d1 from "./d1.mjs";
import * as metrics from "./metrics.mjs";

// edge/worker's store (d1_js.go) runs its units and reads through d1.mjs.
globalThis.sealpayD1 = d1;

// syumai/workers' cloudflare/sockets calls this to catch a JS exception.
globalThis.tryCatch = (fn) => {
  try {
    return { result: fn() };
  } catch (error) {
    return { error };
  }
};

/**
 * startGo instantiates app.wasm, runs its main until it calls ready, and
 * returns the instance. It becomes dead, and calls its ondeath, when the
 * Go program exits or traps.
 * @param {object} env
 * @returns {Promise<import("./pool.mjs").Instance>}
 */
async function startGo(env) {
  const go = new Go();
  const context = { env, ctx: undefined, connect, binding: {} };
  const inst = {
    context,
    handle: (request) => handle(context, request),
    // Set by edge/worker (purge_js.go) next to serve.
    scheduled: (cron, scheduledTime) => context.binding.runScheduled(cron, scheduledTime),
    memory: () => wasm.exports.mem.buffer.byteLength,
    dead: false,
    ondeath: null,
  };
  // starting settles when Go calls ready or dies first; it belongs to the
  // request that starts the instance, and is dropped after that.
  let starting;
  const started = new Promise((resolve, reject) => (starting = { resolve, reject }));
  const die = (err) => {
    if (!inst.dead) {
      inst.dead = true;
      starting?.reject(err);
      inst.ondeath?.(err);
    }
  };
  go.exit = (code) => die(new Error(`Go program exited (code ${code})`));
  // Every callback, promise reaction and timer enters Go through _resume:
  // a trap there (unreachable, out of memory) leaves the instance unusable.
  const resume = go._resume.bind(go);
  go._resume = () => {
    try {
      resume();
    } catch (err) {
      die(err);
      throw err;
    }
  };
  const wasm = new WebAssembly.Instance(mod, { ...go.importObject, workers: { ready: () => starting?.resolve() } });
  // Go's package initialisation runs synchronously inside go.run, before
  // its first await: that is when syumai/workers reads globalThis.context.
  globalThis.context = context;
  try {
    go.run(wasm).then(() => die(new Error("Go program exited")), die);
  } finally {
    delete globalThis.context;
  }
  try {
    await started;
  } finally {
    starting = undefined;
    // go.run's promise belongs to this request too; settling it from a
    // later one only makes workerd warn. go.exit reports an exit instead.
    go._resolveExitPromise = () => {};
  }
  return inst;
}

/**
 * handle hands one request to Go (edge/worker/serve_js.go): the method, the
 * URL, the header fields as one string ("name\nvalue\n" for each: Headers
 * hold no line breaks) and the whole body, and makes the Response from what
 * Go returns, in the same form. One crossing each way: a JS value per
 * header would cost Go a call and a finalizer each.
 *
 * Go sees the Accept-Encoding the client sent (frame.html is negotiated
 * there), which the runtime replaced with "br, gzip" and kept in
 * request.cf.clientAcceptEncoding (see assets.mjs).
 *
 * With the SEALPAY_METRICS binding, Go's answer carries the request's
 * data point, which goes to Analytics Engine (metrics.mjs).
 * @param {{binding: {serve: Function}, env: object}} context
 * @param {Request} request
 * @returns {Promise<Response>}
 */
async function handle(context, request) {
  const body = request.body === null ? null : new Uint8Array(await request.arrayBuffer());
  const accept = clientAcceptEncoding(request);
  let fields = "";
  for (const [name, value] of request.headers) if (name !== "accept-encoding") fields += `${name}\n${value}\n`;
  if (accept !== null) fields += `accept-encoding\n${accept}\n`;
  const [status, statusText, resFields, resBody, point] = await context.binding.serve(request.method, request.url, fields, body);
  metrics.write(context.env, point, status);
  const headers = new Headers();
  const f = resFields.split("\n");
  for (let i = 0; i + 1 < f.length; i += 2) headers.append(f[i], f[i + 1]);
  return new Response(resBody, { status, statusText, headers });
}

// An instance starts at 9 MiB and settles near 16 MiB; keeping two
// covers a request that overlaps another without a start-up, and the
// memory cap bounds what they hold (Workers allow 128 MB per isolate).
const pool = new Pool(startGo, { maxIdle: 2, maxMemory: 32 << 20 });
const assets = new Assets(manifest);

export default {
  fetch(request, env, ctx) {
    const asset = assets.serve(request, env);
    if (asset === null) return pool.fetch(request, env, ctx).then(manualEncoding);
    return asset.catch((err) => {
      console.error("edge: serving a browser asset failed:", String(err));
      return internalError();
    });
  },
  // The Cron Trigger of wrangler.toml [triggers]: Go's purge (expired
  // CVCs and their keys, single-use tokens, jtis, risk counters, QR
  // nonces), in a pooled instance like a request, then the retry of the
  // events due to merchants. The event lasts until the purge settles, and
  // a failed purge fails the event.
  scheduled(controller, env, ctx) {
    return pool.scheduled(controller, env, ctx);
  },
};

/**
 * manualEncoding passes on a Go response whose body is in a coding already
 * (a precompressed frame.html) as it is: without encodeBody "manual" the
 * runtime would compress it a second time.
 * @param {Response} res
 */
function manualEncoding(res) {
  const coding = res.headers.get("Content-Encoding");
  if (!coding || coding === "identity") return res;
  return new Response(res.body, { status: res.status, statusText: res.statusText, headers: res.headers, encodeBody: "manual" });
}

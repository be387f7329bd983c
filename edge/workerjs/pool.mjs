// Pool keeps the Sealpay edge's Go instances alive between requests, so a
// request costs only its own work, not a Go runtime start-up (about 18 ms
// of CPU in workerd for this module).
//
// One instance serves one request at a time. Go on js/wasm runs all of its
// goroutines inside whichever JavaScript event resumed it, and workerd ties
// every promise and I/O object (request bodies, fetch responses, D1 calls,
// timers) to the request whose event created it. If two requests shared one
// instance, request A's goroutine could read A's body or call D1 while Go
// runs inside B's event; workerd does not settle such promises across
// requests and cancels A as hung (6 of 8 overlapping tokenizes on one
// shared instance, under wrangler dev). So requests that overlap get
// instances of their own (a burst pays the start-up, as before), and a
// finished instance goes back to the pool, which keeps up to maxIdle of
// them: with requests one after another, one instance serves them all.
//
// Go's heap only grows, and syumai/workers v0.33.0 never releases one of
// the two js.Func callbacks it makes for each awaited promise (every D1
// statement, every chunk of a request body): about 5 KiB per tokenize. So
// an instance that has grown past maxMemory is dropped after its request
// instead of going back to the pool; the next one starts fresh.
//
// A request is finished when its whole response body has been read from Go
// (responses are small JSON, so the pool buffers them) and every promise it
// passed to ctx.waitUntil has settled. Before each request the pool points
// the instance's runtime context at the request's env and ctx, which is
// where github.com/syumai/workers reads them (cloudflare.Getenv, D1,
// cloudflare.WaitUntil).
//
// An instance whose Go program exits or traps (a panic outside the
// handler's recovery, an out-of-memory) is dropped: the request it was
// serving gets a 500 with the edge's JSON error body, and the next request
// starts a fresh instance.

/**
 * A running Go program that serves requests.
 * @typedef {object} Instance
 * @property {{env: object, ctx: object}} context  the runtime context Go reads env and ctx from
 * @property {(request: Request) => Promise<Response>} handle  hands one request to Go
 * @property {(cron: string, scheduledTime: number) => Promise<string>} scheduled  runs Go's purge for a Cron Trigger
 * @property {() => number} memory  bytes of linear memory the instance has grown to
 * @property {boolean} dead  set when the instance can no longer serve
 * @property {((err: Error) => void) | null} ondeath  called when it dies (the pool sets it per request)
 */

/** Statuses whose responses have no body (the Response constructor refuses one). */
const nullBodyStatus = new Set([101, 204, 205, 304]);

/** The edge's opaque error body (docs/edge-api.md), for failures outside Go. */
export function internalError() {
  return new Response('{"error":{"code":"internal","message":"internal error"}}\n', {
    status: 500,
    headers: { "Content-Type": "application/json; charset=utf-8", "Cache-Control": "no-store" },
  });
}

export class Pool {
  #start;
  #maxIdle;
  #maxMemory;
  #idle = [];
  #started = 0;

  /**
   * @param {(env: object) => Promise<Instance>} start  starts an instance (Go reads its configuration from env)
   * @param {{maxIdle?: number, maxMemory?: number}} [options]
   *   maxIdle: instances kept between requests (default 1);
   *   maxMemory: bytes of memory past which an instance is not kept (default no limit)
   */
  constructor(start, { maxIdle = 1, maxMemory = Infinity } = {}) {
    this.#start = start;
    this.#maxIdle = maxIdle;
    this.#maxMemory = maxMemory;
  }

  /** Counts for tests and logs: instances started so far, and idle now. */
  stats() {
    return { started: this.#started, idle: this.#idle.length };
  }

  /**
   * Serves one Worker fetch event with an idle instance, or a new one.
   * @param {Request} request
   * @param {object} env
   * @param {object} ctx  the ExecutionContext
   * @returns {Promise<Response>}
   */
  async fetch(request, env, ctx) {
    try {
      return await this.#lend(env, ctx, (inst) => inst.handle(request).then(buffered), "a request");
    } catch {
      return internalError();
    }
  }

  /**
   * Runs one Worker scheduled event (a Cron Trigger) in an instance, like
   * a request: Go's purge (edge.RunPurge). It resolves with what Go
   * reports (a JSON summary of the jobs) and rejects if Go could not run
   * or a job failed, so that the platform records the run as failed.
   * @param {{cron: string, scheduledTime: number}} controller
   * @param {object} env
   * @param {object} ctx
   * @returns {Promise<string>}
   */
  scheduled(controller, env, ctx) {
    return this.#lend(env, ctx, (inst) => inst.scheduled(controller.cron, controller.scheduledTime), "a scheduled event");
  }

  // lend runs work with an idle instance, or a new one, set up for env and
  // ctx, and gives the instance back afterwards. work's failure (or the
  // instance's death) is logged and rethrown.
  async #lend(env, ctx, work, what) {
    let inst;
    do inst = this.#idle.pop();
    while (inst?.dead);
    if (inst === undefined) {
      try {
        this.#started++;
        inst = await this.#start(env);
      } catch (err) {
        console.error("edge: starting the Go instance failed:", String(err));
        throw err;
      }
    }
    const waits = [];
    inst.context.env = env;
    inst.context.ctx = scopedContext(ctx, waits);
    // A promise may only settle in the request that created it (workerd's
    // handle_cross_request_promise_resolution), so each request makes its
    // own for the instance's death instead of sharing one.
    const died = new Promise((_, reject) => (inst.ondeath = reject));
    try {
      return await Promise.race([work(inst), died]);
    } catch (err) {
      const how = inst.dead ? "died during" : "failed";
      console.error(`edge: the Go instance ${how} ${what}:`, String(err));
      throw err;
    } finally {
      inst.ondeath = null;
      this.#release(inst, waits);
    }
  }

  // release returns inst to the pool once the promises its request gave to
  // waitUntil have settled (they may add more while they run).
  #release(inst, waits, settled = 0) {
    if (waits.length > settled) {
      const n = waits.length;
      Promise.allSettled(waits.slice(settled)).then(() => this.#release(inst, waits, n));
      return;
    }
    inst.context.ctx = undefined;
    if (!inst.dead && this.#idle.length < this.#maxIdle && inst.memory() <= this.#maxMemory) {
      this.#idle.push(inst);
    }
  }
}

// scopedContext is ctx for Go: waitUntil also records the promise, so the
// instance is not lent to another request while the task still runs.
function scopedContext(ctx, waits) {
  return {
    waitUntil(promise) {
      waits.push(promise);
      ctx.waitUntil(promise);
    },
    passThroughOnException() {
      ctx.passThroughOnException();
    },
    props: ctx.props,
  };
}

// buffered reads the whole body out of Go, so the handler has returned
// before the instance serves anyone else.
async function buffered(res) {
  const body = nullBodyStatus.has(res.status) ? null : await res.arrayBuffer();
  return new Response(body, res);
}

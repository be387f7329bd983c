// Tests of pool.mjs with fake instances (node --test edge/workerjs/); the
// real Go instances are tested under wrangler by edge/worker_test.go.
import assert from "node:assert/strict";
import { test } from "node:test";
import { Pool } from "./pool.mjs";

// fakeGo starts fake instances. A request's path picks what the fake Go
// handler does: "/echo" answers with the env's NAME and the instance id,
// "/hold" waits until release() is called, "/die" makes the instance die
// mid-request, "/reject" rejects like a Go-side error, "/empty" answers
// 204, "/wait" passes a promise to ctx.waitUntil.
function fakeGo() {
  const f = { instances: [], held: [], failStarts: 0, waits: [] };
  f.start = async (env) => {
    if (f.failStarts > 0) {
      f.failStarts--;
      throw new Error("trap during start");
    }
    const id = f.instances.length;
    const inst = { context: { env, ctx: undefined }, dead: false, ondeath: null, busy: 0, bytes: 16 << 20 };
    inst.memory = () => inst.bytes;
    inst.die = (err) => {
      inst.dead = true;
      inst.ondeath?.(err);
    };
    inst.handle = async (request) => {
      inst.busy++;
      try {
        const path = new URL(request.url).pathname;
        // What Go reads at call time, as cloudflare.Getenv does.
        const { env, ctx } = inst.context;
        if (path === "/hold") await new Promise((resolve) => f.held.push(resolve));
        if (path === "/die") {
          inst.die(new Error("Go program exited (code 2)"));
          return new Promise(() => {}); // Go never answers
        }
        if (path === "/reject") throw new Error("too many args given to handleRequest");
        if (path === "/empty") return new Response(null, { status: 204, headers: { "X-Instance": String(id) } });
        if (path === "/wait") {
          let done;
          f.waits.push(() => done());
          ctx.waitUntil(new Promise((resolve) => (done = resolve)));
        }
        if (inst.busy > 1) throw new Error("two requests in one instance at once");
        return new Response(JSON.stringify({ name: env.NAME, instance: id }), {
          status: 200,
          headers: { "Content-Type": "application/json", "X-Instance": String(id) },
        });
      } finally {
        inst.busy--;
      }
    };
    // A scheduled event: "fail" rejects like a failed purge, anything else
    // answers with the cron, the env's NAME and the instance id.
    inst.scheduled = async (cron) => {
      inst.busy++;
      try {
        if (inst.busy > 1) throw new Error("two events in one instance at once");
        if (cron === "fail") throw new Error("purge job vault failed");
        return JSON.stringify({ cron, name: inst.context.env.NAME, instance: id });
      } finally {
        inst.busy--;
      }
    };
    f.instances.push(inst);
    return inst;
  };
  return f;
}

// fakeCtx is an ExecutionContext that records waitUntil promises.
function fakeCtx() {
  const ctx = { waited: [], passed: 0 };
  ctx.waitUntil = (p) => ctx.waited.push(p);
  ctx.passThroughOnException = () => ctx.passed++;
  return ctx;
}

const req = (path) => new Request("https://edge.example" + path);
const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

async function json(res) {
  assert.equal(res.status, 200, `status = ${res.status}, want 200`);
  return res.json();
}

async function assertInternal(res) {
  assert.equal(res.status, 500);
  assert.deepEqual(await res.json(), { error: { code: "internal", message: "internal error" } });
}

test("sequential requests share one instance and see their own env", async () => {
  const f = fakeGo();
  const pool = new Pool(f.start);
  for (const name of ["a", "b", "c"]) {
    const got = await json(await pool.fetch(req("/echo"), { NAME: name }, fakeCtx()));
    assert.deepEqual(got, { name, instance: 0 });
  }
  assert.deepEqual(pool.stats(), { started: 1, idle: 1 });
  assert.equal(f.instances[0].context.ctx, undefined, "ctx kept after the request");
});

test("overlapping requests get instances of their own", async () => {
  const f = fakeGo();
  const pool = new Pool(f.start, { maxIdle: 2 });
  const first = pool.fetch(req("/hold"), { NAME: "held" }, fakeCtx());
  await tick();
  const seconds = [];
  for (const name of ["x", "y", "z"]) {
    seconds.push(pool.fetch(req("/hold"), { NAME: name }, fakeCtx()));
    await tick();
  }
  assert.equal(f.held.length, 4);
  f.held.forEach((release) => release());
  const got = await Promise.all([first, ...seconds].map(async (p) => json(await p)));
  assert.deepEqual(
    got.map((g) => g.instance).sort(),
    [0, 1, 2, 3],
    "instances serving the overlapping requests",
  );
  assert.deepEqual(got.map((g) => g.name), ["held", "x", "y", "z"]);
  assert.deepEqual(pool.stats(), { started: 4, idle: 2 });
  await json(await pool.fetch(req("/echo"), { NAME: "n" }, fakeCtx()));
  assert.deepEqual(pool.stats(), { started: 4, idle: 2 }, "after one more request");
});

test("an instance that dies mid-request answers 500 and is replaced", async () => {
  const f = fakeGo();
  const pool = new Pool(f.start);
  await json(await pool.fetch(req("/echo"), { NAME: "a" }, fakeCtx()));
  await assertInternal(await pool.fetch(req("/die"), { NAME: "a" }, fakeCtx()));
  assert.deepEqual(pool.stats(), { started: 1, idle: 0 });
  const got = await json(await pool.fetch(req("/echo"), { NAME: "b" }, fakeCtx()));
  assert.deepEqual(got, { name: "b", instance: 1 });
});

test("an idle instance that died is not used", async () => {
  const f = fakeGo();
  const pool = new Pool(f.start);
  await json(await pool.fetch(req("/echo"), { NAME: "a" }, fakeCtx()));
  f.instances[0].die(new Error("trap"));
  const got = await json(await pool.fetch(req("/echo"), { NAME: "b" }, fakeCtx()));
  assert.equal(got.instance, 1);
});

test("an instance grown past maxMemory is replaced after its request", async () => {
  const f = fakeGo();
  const pool = new Pool(f.start, { maxMemory: 32 << 20 });
  await json(await pool.fetch(req("/echo"), { NAME: "a" }, fakeCtx()));
  f.instances[0].bytes = 32 << 20;
  assert.equal((await json(await pool.fetch(req("/echo"), { NAME: "b" }, fakeCtx()))).instance, 0, "at the limit");
  f.instances[0].bytes = (32 << 20) + 65536;
  assert.equal((await json(await pool.fetch(req("/echo"), { NAME: "c" }, fakeCtx()))).instance, 0, "grown during the request");
  assert.deepEqual(pool.stats(), { started: 1, idle: 0 });
  assert.equal((await json(await pool.fetch(req("/echo"), { NAME: "d" }, fakeCtx()))).instance, 1);
});

test("a Go-side rejection answers 500 and keeps the instance", async () => {
  const f = fakeGo();
  const pool = new Pool(f.start);
  await assertInternal(await pool.fetch(req("/reject"), {}, fakeCtx()));
  const got = await json(await pool.fetch(req("/echo"), { NAME: "a" }, fakeCtx()));
  assert.deepEqual(got, { name: "a", instance: 0 });
});

test("a failed start answers 500 and the next request starts again", async () => {
  const f = fakeGo();
  f.failStarts = 1;
  const pool = new Pool(f.start);
  await assertInternal(await pool.fetch(req("/echo"), {}, fakeCtx()));
  const got = await json(await pool.fetch(req("/echo"), { NAME: "a" }, fakeCtx()));
  assert.deepEqual(got, { name: "a", instance: 0 });
  assert.equal(pool.stats().started, 2);
});

test("the instance waits for its waitUntil tasks before serving again", async () => {
  const f = fakeGo();
  const pool = new Pool(f.start);
  const ctx = fakeCtx();
  await json(await pool.fetch(req("/wait"), { NAME: "w" }, ctx));
  assert.equal(ctx.waited.length, 1, "waitUntil reached the real ctx");
  assert.equal(pool.stats().idle, 0, "instance lent out while its waitUntil task runs");
  const other = await json(await pool.fetch(req("/echo"), { NAME: "o" }, fakeCtx()));
  assert.equal(other.instance, 1);
  f.waits[0]();
  await tick();
  assert.equal(pool.stats().idle, 1);
  const again = await json(await pool.fetch(req("/echo"), { NAME: "a" }, fakeCtx()));
  assert.ok(again.instance === 0 || again.instance === 1);
});

test("responses keep status, headers and body; null-body statuses stay empty", async () => {
  const f = fakeGo();
  const pool = new Pool(f.start);
  const res = await pool.fetch(req("/echo"), { NAME: "é ✓" }, fakeCtx());
  assert.equal(res.headers.get("Content-Type"), "application/json");
  assert.deepEqual(await res.json(), { name: "é ✓", instance: 0 });
  const empty = await pool.fetch(req("/empty"), {}, fakeCtx());
  assert.equal(empty.status, 204);
  assert.equal(empty.body, null);
  assert.equal(empty.headers.get("X-Instance"), "0");
});

test("passThroughOnException reaches the request's own ctx", async () => {
  const f = fakeGo();
  const start = f.start;
  f.start = async (env) => {
    const inst = await start(env);
    const handle = inst.handle;
    inst.handle = (r) => {
      inst.context.ctx.passThroughOnException();
      return handle(r);
    };
    return inst;
  };
  const pool = new Pool(f.start);
  const first = fakeCtx();
  const second = fakeCtx();
  await json(await pool.fetch(req("/echo"), { NAME: "p" }, first));
  await json(await pool.fetch(req("/echo"), { NAME: "q" }, second));
  assert.deepEqual([first.passed, second.passed], [1, 1]);
});

test("a scheduled event runs in a pooled instance and reports Go's answer", async () => {
  const f = fakeGo();
  const pool = new Pool(f.start);
  await json(await pool.fetch(req("/echo"), { NAME: "a" }, fakeCtx()));
  const got = JSON.parse(await pool.scheduled({ cron: "*/5 * * * *", scheduledTime: 0 }, { NAME: "cron" }, fakeCtx()));
  assert.deepEqual(got, { cron: "*/5 * * * *", name: "cron", instance: 0 });
  await assert.rejects(pool.scheduled({ cron: "fail", scheduledTime: 0 }, {}, fakeCtx()), /purge job vault failed/);
  // The instance survives a failed purge and serves the next request.
  assert.equal((await json(await pool.fetch(req("/echo"), { NAME: "b" }, fakeCtx()))).instance, 0);
  assert.equal(pool.stats().started, 1);
});

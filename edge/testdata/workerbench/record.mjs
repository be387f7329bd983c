// The benchmark's wrapper around our entry (BenchmarkWorkerRequestCPU in
// edge/bench_test.go): it records every call Go makes to D1 through d1.mjs,
// with the number of the request that made it, so that replay.mjs can make
// the same calls without Go. GET /__d1calls returns them, and the number
// of requests so far; it is not counted as a request.
import worker from "./worker.mjs";

const real = globalThis.sealpayD1;
const calls = [];
let requests = 0;
globalThis.sealpayD1 = {
  batch(db, json) {
    calls.push([requests, "batch", json]);
    return real.batch(db, json);
  },
  query(db, json) {
    calls.push([requests, "query", json]);
    return real.query(db, json);
  },
};

export default {
  fetch(request, env, ctx) {
    if (new URL(request.url).pathname === "/__d1calls") return Response.json({ requests, calls });
    requests++;
    return worker.fetch(request, env, ctx);
  },
};

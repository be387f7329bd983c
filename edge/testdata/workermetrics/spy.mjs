// TestWorkerMetrics' wrapper around our entry (edge/worker_metrics_test.go).
// A stand-in for Workers Analytics Engine's storage, which is Cloudflare's
// and outside this system: wrangler dev's local dataset binding accepts
// writeDataPoint and keeps nothing. The wrapper passes every point on to
// the real local binding and remembers the ones it accepted; GET
// /__points returns them (and is not itself a request to the edge).
import worker from "./worker.mjs";

const points = [];

function spied(env) {
  const real = env.SEALPAY_METRICS;
  return {
    ...env,
    SEALPAY_METRICS: {
      // The real binding first: a point it refuses (it throws) is not
      // remembered, and the test misses it.
      writeDataPoint(p) {
        real.writeDataPoint(p);
        points.push(structuredClone(p));
      },
    },
  };
}

export default {
  fetch(request, env, ctx) {
    if (new URL(request.url).pathname === "/__points") return Response.json(points);
    return worker.fetch(request, spied(env), ctx);
  },
  scheduled(controller, env, ctx) {
    return worker.scheduled(controller, spied(env), ctx);
  },
};

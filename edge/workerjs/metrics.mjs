// The Worker's metrics: one Workers Analytics Engine data point per
// request that Go answers, written to the dataset bound as
// SEALPAY_METRICS (wrangler.toml [[analytics_engine_datasets]]). Without
// the binding Go sends no point and nothing is written.
//
// Go hands the point over with the response, as one string
// "route\ncode\nrisk\nlimit\nms" (edge/worker/metrics_js.go): no call
// of its own across syscall/js. Every value comes from a small fixed set
// (route patterns, error codes, sdk/risk's limit names) and none names a
// path, a key, a token, a merchant or a client. docs/edge-api.md,
// "Metrics", lists the layout and the SQL to read it.

/** The binding's name in env. */
export const binding = "SEALPAY_METRICS";

/**
 * dataPoint turns Go's point string and the response status into the
 * data point written to Analytics Engine, or null for a malformed point.
 *
 *   index1  the route pattern (Analytics Engine samples by index)
 *   blob1   the route pattern, e.g. "POST /v1/tokens"
 *   blob2   the status, as text ("201")
 *   blob3   the error code, "" for a success
 *   blob4   the risk decision: "", "slowed" or "blocked"
 *   blob5   the limit that slowed or blocked it, e.g. "client_cards"
 *   double1 the duration in milliseconds, as Go measured it
 *   double2 the status
 * @param {string} point
 * @param {number} status
 * @returns {{indexes: string[], blobs: string[], doubles: number[]} | null}
 */
export function dataPoint(point, status) {
  const f = point.split("\n");
  if (f.length !== 5 || f[0] === "") return null;
  const [route, code, risk, limit, ms] = f;
  const duration = Number(ms);
  if (!Number.isFinite(duration)) return null;
  return { indexes: [route], blobs: [route, String(status), code, risk, limit], doubles: [duration, status] };
}

/**
 * write writes the point of one request to env's dataset, if the Worker
 * has one and Go sent a point. writeDataPoint does not wait for the
 * write; it must never fail the request, so errors are logged only.
 * @param {object} env
 * @param {string | undefined} point
 * @param {number} status
 */
export function write(env, point, status) {
  const dataset = env?.[binding];
  if (!dataset || typeof point !== "string" || point === "") return;
  const p = dataPoint(point, status);
  if (p === null) return;
  try {
    dataset.writeDataPoint(p);
  } catch (err) {
    console.error("edge: writing the request's data point failed:", String(err));
  }
}

// A JS-only Worker that makes the D1 calls record.mjs recorded, through the
// same d1.mjs, on a database migrated the same way: what the local D1 and
// workerd's request handling cost without our Go (BenchmarkWorkerRequestCPU,
// entry=d1replay). POST /__load takes {prefix, groups}: it replays prefix
// (the calls before the measured requests) at once, and then each POST
// replays the next group, answering 201 (a GET answers 200 "ok"); X-Failed
// says how many of the replayed calls failed.
import * as d1 from "./d1.mjs";

let groups = [];
let next = 0;

// replay makes the calls and returns how many failed: none should, as the
// measured tokenizes all succeeded when they were recorded.
async function replay(db, calls) {
  let failed = 0;
  for (const [op, json] of calls) {
    try {
      await d1[op](db, json);
    } catch {
      failed++;
    }
  }
  return failed;
}

export default {
  async fetch(request, env) {
    if (new URL(request.url).pathname === "/__load") {
      const load = await request.json();
      const failed = await replay(env.DB, load.prefix);
      groups = load.groups;
      next = 0;
      return new Response("loaded", { headers: { "X-Failed": String(failed) } });
    }
    if (request.method === "GET") return new Response("ok");
    const failed = next < groups.length ? await replay(env.DB, groups[next++]) : 0;
    return new Response('{"token":"replayed"}', { status: 201, headers: { "Content-Type": "application/json", "X-Failed": String(failed) } });
  },
};

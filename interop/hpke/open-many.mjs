// Opens many envelopes in one process, for the interop tests: reads
// {"keys": <private key set file text>, "cases": [{"envelope", "merchant"?,
// "origin"?, "now"?}]} from stdin and prints one JSON array, per case
// {"card": <card JSON text>} or {"code": <error code>}. A test tool: it
// prints card data.
//
//   node open-many.mjs < cases.json

import { EnvelopeError, exitWithError, open, readStdin } from "./envelope.mjs";

try {
  const { keys, cases } = JSON.parse(await readStdin());
  const out = [];
  for (const c of cases) {
    try {
      const { card } = await open(keys, c.envelope, { merchant: c.merchant, origin: c.origin, now: c.now });
      out.push({ card });
    } catch (e) {
      if (!(e instanceof EnvelopeError)) throw e;
      out.push({ code: e.code });
    }
  }
  process.stdout.write(JSON.stringify(out) + "\n");
} catch (e) {
  exitWithError(e);
}

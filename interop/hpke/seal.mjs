// Seals card JSON from stdin to the primary key of a public JWK Set and
// prints the envelope, following docs/envelope-v1.md.
//
//   node seal.mjs --jwks FILE --merchant MID [--origin URL] [--ttl SECONDS] < card.json

import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { exitWithError, readStdin, seal } from "./envelope.mjs";

try {
  const { values } = parseArgs({
    options: {
      jwks: { type: "string" },
      merchant: { type: "string" },
      origin: { type: "string" },
      ttl: { type: "string" },
    },
  });
  if (!values.jwks || !values.merchant) {
    throw new Error("usage: node seal.mjs --jwks FILE --merchant MID [--origin URL] [--ttl SECONDS] < card.json");
  }
  const card = (await readStdin()).trim();
  const env = await seal(readFileSync(values.jwks, "utf8"), card, {
    merchant: values.merchant,
    origin: values.origin,
    ttl: values.ttl === undefined ? undefined : Number(values.ttl),
  });
  process.stdout.write(env + "\n");
} catch (e) {
  exitWithError(e);
}

// Opens an envelope from stdin with a private key set file and prints the
// card JSON, following docs/envelope-v1.md. A test tool: it prints card data.
//
//   node open.mjs --keys FILE [--merchant MID] [--origin URL] [--now UNIX] < envelope

import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { exitWithError, open, readStdin } from "./envelope.mjs";

try {
  const { values } = parseArgs({
    options: {
      keys: { type: "string" },
      merchant: { type: "string" },
      origin: { type: "string" },
      now: { type: "string" },
    },
  });
  if (!values.keys) {
    throw new Error("usage: node open.mjs --keys FILE [--merchant MID] [--origin URL] [--now UNIX] < envelope");
  }
  const env = (await readStdin()).trim();
  const { card } = await open(readFileSync(values.keys, "utf8"), env, {
    merchant: values.merchant,
    origin: values.origin,
    now: values.now === undefined ? undefined : Number(values.now),
  });
  process.stdout.write(card + "\n");
} catch (e) {
  exitWithError(e);
}

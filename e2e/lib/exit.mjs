// Node runs process "exit" handlers on a normal exit only: a SIGINT, SIGTERM
// or SIGHUP (Ctrl-C, a cancelled CI job, node --test stopping a file) ends
// the process without them, and every server a test started would outlive
// it. Importing this module makes those signals a normal exit with the
// conventional status (128 + the signal's number), so the handlers that the
// helpers in this folder register with onExit run.
import { constants } from "node:os";

let installed = false;

/**
 * onExit runs fn when this process exits, normally or by one of the signals
 * above, and returns a function that cancels it.
 * @param {() => void} fn
 */
export function onExit(fn) {
  if (!installed) {
    installed = true;
    for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"]) {
      process.once(sig, () => process.exit(128 + constants.signals[sig]));
    }
  }
  process.on("exit", fn);
  return () => process.off("exit", fn);
}

// Server-side rendering in plain Node, with no window or document:
// importing the package touches neither, renderToString renders the
// provider's children and nothing for <CardElement>, and nothing is
// fetched.
import assert from "node:assert/strict";
import { test } from "node:test";

for (const name of ["window", "document"]) {
  Object.defineProperty(globalThis, name, { configurable: true, get() { throw new Error(`touched ${name} at import`); } });
}
globalThis.fetch = () => { throw new Error("fetched during server rendering"); };
const { SealpayProvider, CardElement, useSealpay } = await import("@sealpay/react"); // by name: the package's exports map
const { createElement: h } = await import("react");
const { renderToString } = await import("react-dom/server");
delete globalThis.window;
delete globalThis.document;

test("renderToString renders the children and no frame, without a window", () => {
  let seen;
  function Pay() {
    const api = useSealpay();
    seen = api;
    return h("button", { disabled: !api.sealpay }, "Pay");
  }
  const html = renderToString(
    h(SealpayProvider, { options: { edge: "https://edge.example", key: "pk_test_ssr" } },
      h("form", null, h(CardElement, { id: "card", onChange: () => {} }), h(Pay))),
  );
  assert.equal(html, '<form><button disabled="">Pay</button></form>');
  assert.equal(typeof window, "undefined");
  assert.equal(seen.sealpay, null);
  assert.equal(seen.card, null);
});

test("the hook's calls reject on the server instead of touching the DOM", async () => {
  let api;
  function Grab() {
    api = useSealpay();
    return null;
  }
  renderToString(h(SealpayProvider, { options: { edge: "https://edge.example", key: "pk_test_ssr" } }, h(Grab)));
  await assert.rejects(api.tokenize(), { name: "SealpayUsageError" });
  await assert.rejects(api.verifyQR("000201"), { name: "SealpayUsageError", message: /not loaded/ });
});

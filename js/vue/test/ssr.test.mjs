// Server-side rendering in plain Node, with no window or document:
// importing the package touches neither, renderToString renders the
// provider's slot and nothing for <CardElement>, and nothing is fetched.
import assert from "node:assert/strict";
import { test } from "node:test";

// Vue itself looks for `document` when it is imported; the trap is for ours.
const { createSSRApp, defineComponent, h } = await import("vue");
const { renderToString } = await import("@vue/server-renderer");
for (const name of ["window", "document"]) {
  Object.defineProperty(globalThis, name, { configurable: true, get() { throw new Error(`touched ${name} at import`); } });
}
globalThis.fetch = () => { throw new Error("fetched during server rendering"); };
const { SealpayProvider, CardElement, useSealpay } = await import("@sealpay/vue"); // by name: the package's exports map
delete globalThis.window;
delete globalThis.document;

test("renderToString renders the slot and no frame, without a window", async () => {
  let api;
  const Pay = defineComponent({
    setup() {
      api = useSealpay();
      return () => h("button", { disabled: !api.sealpay.value }, "Pay");
    },
  });
  const app = createSSRApp({
    render: () => h(SealpayProvider, { options: { edge: "https://edge.example", key: "pk_test_ssr" } }, {
      default: () => h("form", [h(CardElement, { id: "card", onChange: () => {} }), h(Pay)]),
    }),
  });
  const html = await renderToString(app);
  assert.equal(html, '<!--[--><form><!----><button disabled>Pay</button></form><!--]-->');
  assert.equal(typeof window, "undefined");
  assert.equal(api.sealpay.value, null);
  assert.equal(api.card.value, null);
  await assert.rejects(api.tokenize(), { name: "SealpayUsageError" });
  await assert.rejects(api.verifyQR("000201"), { name: "SealpayUsageError", message: /not loaded/ });
});

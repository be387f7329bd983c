import assert from "node:assert/strict";
import { test } from "node:test";
import { bundleSource } from "./helpers.mjs";

test("style whitelist", async () => {
  const { checkStyle, checkValue, styleCSS } = await bundleSource("style.ts");
  const good = { base: { color: "#32325d", fontFamily: '"Noto Sans", sans-serif', fontSize: "16px", "::placeholder": { color: "rgba(0, 0, 0, 0.4)" } }, invalid: { color: "red" } };
  assert.equal(checkStyle(good), good);
  const css = styleCSS(good, (v) => (v === "base" ? "input" : `input.${v}`));
  assert.match(css, /input::placeholder\{color:rgba\(0, 0, 0, 0\.4\)\}/);
  assert.match(css, /input\{color:#32325d;font-family:"Noto Sans", sans-serif;font-size:16px\}/);
  const bad = [
    [{ base: { color: "url(https://x.example/a.png)" } }, /character outside|function/],
    [{ base: { color: "expression(alert(1))" } }, /function/],
    [{ base: { color: "var(--x)" } }, /function/],
    [{ base: { color: "red; background: blue" } }, /character outside/],
    [{ base: { color: "red}body{display:none" } }, /character outside/],
    [{ base: { fontFamily: "\\75 rl(x)" } }, /character outside/],
    [{ base: { fontFamily: "a/**/b" } }, /character outside/],
    [{ base: { backgroundImage: "none" } }, /not an allowed property/],
    [{ base: { position: "fixed" } }, /not an allowed property/],
    [{ base: { ":before": { color: "red" } } }, /not an allowed property/],
    [{ hover: {} }, /not a variant/],
    [{ base: [] }, /plain object/],
    [[], /plain object/],
    [{ base: { color: 5 } }, ""],
    [{ base: { color: { toString: () => "red" } } }, /not a string/],
    [{ base: { color: "x".repeat(101) } }, /character outside/],
  ];
  for (const [style, re] of bad) {
    if (re === "") {
      assert.doesNotThrow(() => checkStyle(style));
      continue;
    }
    assert.throws(() => checkStyle(style), re, JSON.stringify(style));
  }
  assert.equal(checkValue(Infinity), "is not a finite number");
  assert.match(checkValue("IMAGE-SET(x)"), /function/);
});

test("frame parameters are checked", async () => {
  const { parseFrameParams, frameURL, isOrigin } = await bundleSource("protocol.ts");
  const p = { origin: "https://shop.example", key: "pk_test_abc", channel: "0123456789abcdef01234567", mode: "card", locale: "de", style: '{"base":{}}', hideName: true };
  const u = new URL(frameURL("https://edge.example", p));
  assert.deepEqual(parseFrameParams(u.search), p);
  const bad = [
    { origin: "https://shop.example/path" },
    { origin: "http://shop.example" },
    { origin: "javascript:alert(1)" },
    { key: "sk_live_x" },
    { channel: "short" },
    { mode: "other" },
  ];
  for (const change of bad) {
    const v = new URL(frameURL("https://edge.example", { ...p, ...change }));
    assert.equal(parseFrameParams(v.search), null, JSON.stringify(change));
  }
  assert.equal(isOrigin("http://localhost:8787"), true);
  assert.equal(isOrigin("http://127.0.0.1"), true);
  assert.equal(isOrigin("https://shop.example:8443"), true);
  assert.equal(isOrigin("https://SHOP.example"), false); // not serialized
  assert.equal(isOrigin("https://user@shop.example"), false);
});

test("every locale has every text", async () => {
  const { messages, messageCode } = await bundleSource("frame/i18n.ts");
  const { LOCALES } = await bundleSource("locale.ts");
  const keys = Object.keys(messages.en).sort();
  assert.deepEqual(Object.keys(messages).sort(), [...LOCALES].sort());
  for (const l of LOCALES) {
    assert.deepEqual(Object.keys(messages[l]).sort(), keys, l);
    for (const k of keys) assert.ok(messages[l][k].trim(), `${l}.${k} is empty`);
    if (l !== "en") {
      const same = keys.filter((k) => messages[l][k] === messages.en[k] && k !== "expiry_placeholder");
      assert.deepEqual(same, [], `${l} has untranslated texts`);
    }
  }
  for (const k of keys.filter((k) => k.includes("_") && k !== "expiry_placeholder")) {
    assert.match(messageCode[k] ?? "", /^[a-z_]+$/, `${k} has no error code`);
  }
});

test("locale negotiation", async () => {
  const { pickLocale } = await bundleSource("locale.ts");
  const cases = [
    [["zh-TW"], "zh-CN"],
    [["zh-CN"], "zh-CN"],
    [["pt-PT"], "pt-BR"],
    [["PT-br"], "pt-BR"],
    [["sw", "th-TH"], "th"],
    [["xx"], "en"],
    [[], "en"],
  ];
  for (const [tags, want] of cases) assert.equal(pickLocale(tags), want, tags.join(","));
});

test("errors keep codes by shape", async () => {
  const { toSealpayError, SealpayError } = await bundleSource("errors.ts");
  assert.equal(toSealpayError({ code: "invalid_cvc", message: "m" }).code, "invalid_cvc");
  assert.equal(toSealpayError({ code: "Not A Code", message: "m" }).code, "internal");
  assert.equal(toSealpayError("x", "upstream_error").code, "upstream_error");
  const e = new SealpayError("bad_request", "m");
  assert.equal(toSealpayError(e), e);
});

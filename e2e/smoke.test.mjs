// The browser harness itself works: Chromium starts headless and renders a page.
import { test } from "node:test";
import assert from "node:assert/strict";
import { launch } from "./lib/browser.mjs";

test("headless Chromium renders a page", async () => {
  const { context, close } = await launch();
  try {
    const page = await context.newPage();
    await page.setContent("<title>ok</title><p id=x>sealpay</p>");
    assert.equal(await page.textContent("#x"), "sealpay");
    assert.equal(await page.evaluate(() => typeof WebAssembly.instantiate), "function");
  } finally {
    await close();
  }
});

// axe-core (npm, pinned in e2e/package.json) for the accessibility tests:
// inject it into a page and every frame, run it from the top document over
// the frames too, and describe what it found without any page content.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);

/** The axe-core release the tests run. */
export const AXE_VERSION = require("axe-core/package.json").version;

const AXE_PATH = require.resolve("axe-core/axe.min.js");
const AXE_SOURCE = readFileSync(AXE_PATH, "utf8");

/** The rule tags checked: WCAG 2.0, 2.1 and 2.2 at levels A and AA, and axe's best practices. */
export const TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"];

/**
 * injectAxe puts axe-core into frame (a playwright Page or Frame). It tries
 * addScriptTag first; under a strict Content-Security-Policy (the
 * storefront's and the card frame's allow no inline script) the script
 * tag is refused, and the same source is evaluated through the DevTools
 * protocol instead, which the page's CSP does not govern, so the page
 * under test keeps its own policy.
 */
export async function injectAxe(frame) {
  const present = () => frame.evaluate(() => typeof window.axe === "object");
  if (await present()) return "present";
  let how = "script tag";
  try {
    await frame.addScriptTag({ path: AXE_PATH });
  } catch {
    // refused by the CSP: evaluated below
  }
  if (!(await present())) {
    how = "evaluate";
    await frame.evaluate(AXE_SOURCE);
  }
  const version = await frame.evaluate(() => window.axe.version);
  if (version !== AXE_VERSION) throw new Error(`axe ${version} was injected, want ${AXE_VERSION}`);
  return how;
}

/**
 * axeRun injects axe into page and all its frames and runs it from the top
 * document, frames included (a node in a frame is named by the iframe's
 * selector, then its own). It resolves to the violations, and to the
 * selectors of the nodes inside frames that passed each rule, proof that
 * axe did look inside them.
 */
export async function axeRun(page) {
  // axe talks only to frames of its own origin unless told otherwise; the
  // card frame is on the edge's. Every window here allows the page's and
  // the frames' origins, and no other.
  const origins = [...new Set(page.frames().map((f) => new URL(f.url()).origin))];
  for (const f of page.frames()) {
    await injectAxe(f);
    await f.evaluate((o) => window.axe.configure({ allowedOrigins: o }), origins);
  }
  return page.evaluate(
    async (tags) => {
      const r = await window.axe.run(document, { runOnly: { type: "tag", values: tags }, iframes: true });
      return {
        violations: r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => ({ target: n.target, summary: n.failureSummary })) })),
        framed: r.passes.flatMap((p) => p.nodes.filter((n) => n.target.length > 1).map((n) => `${p.id} ${n.target.at(-1)}`)),
      };
    },
    TAGS,
  );
}

/**
 * describe turns violations into text for an assertion message: rule,
 * impact, help and the elements' selectors — never their HTML, which could
 * hold what a shopper typed.
 */
export function describe(violations) {
  return violations
    .map((v) => `${v.id} (${v.impact}): ${v.help}\n${v.nodes.map((n) => `  ${JSON.stringify(n.target)}: ${(n.summary ?? "").replace(/\s+/g, " ")}`).join("\n")}`)
    .join("\n");
}

/** luminance is the WCAG 2 relative luminance of an "rgb(r, g, b)" or "rgba(…)" colour. */
export function luminance(css) {
  const [r, g, b] = css.match(/[\d.]+/g).slice(0, 3).map((x) => Number(x) / 255)
    .map((c) => (c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/** contrast is the WCAG 2 contrast ratio of two opaque colours. */
export function contrast(a, b) {
  const [x, y] = [luminance(a), luminance(b)].sort((p, q) => q - p);
  return (x + 0.05) / (y + 0.05);
}

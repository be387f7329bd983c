/**
 * The hosted fields' style whitelist. The parent checks a style object to
 * fail early with a usage message; the frame checks it again (it trusts
 * nothing from its URL) and turns it into CSS text.
 */
import type { Style } from "./types.js";

// The allowed properties, in camelCase; the CSS name is derived from each.
const properties = new Set([
  "color", "backgroundColor", "caretColor", "fontFamily", "fontSize", "fontStyle", "fontVariant",
  "fontWeight", "letterSpacing", "lineHeight", "padding", "textAlign", "textDecoration", "textShadow",
  "textTransform", "borderColor", "borderRadius", "borderStyle", "borderWidth",
]);

const kebab = (name: string): string => name.replace(/[A-Z]/g, (c) => "-" + c.toLowerCase());

const pseudos = new Set([":hover", ":focus", ":disabled", "::placeholder", "::selection"]);

const variants = ["base", "complete", "empty", "invalid"] as const;

// A value may use letters, digits, spaces, quotes, and # ( ) , . % - + only.
// That excludes ; { } @ \ < > / * ! and so url( is the one function to look
// for by name, along with the other functions that fetch or compute.
const allowedValue = /^[A-Za-z0-9 #(),.%'"+-]{1,100}$/;
const forbiddenFunction = /(url|image|image-set|cross-fade|element|expression|var|env|attr|paint|src)\s*\(/i;

/** checkValue returns the reason a value is refused, or "" if it is fine. */
export function checkValue(v: unknown): string {
  if (typeof v === "number") return Number.isFinite(v) ? "" : "is not a finite number";
  if (typeof v !== "string") return "is not a string";
  if (!allowedValue.test(v)) return "uses a character outside letters, digits, spaces, quotes and # ( ) , . % + -";
  if (forbiddenFunction.test(v)) return "uses a function that could fetch or compute (url(), var(), expression()…)";
  return "";
}

/**
 * checkStyle throws an Error naming the first problem in style, which
 * must match {@link Style}. It returns style unchanged.
 */
export function checkStyle(style: unknown): Style {
  if (style === undefined) return {};
  if (!isPlain(style)) throw new Error("style must be a plain object");
  for (const [vname, variant] of Object.entries(style)) {
    if (!(variants as readonly string[]).includes(vname)) {
      throw new Error(`style.${vname} is not a variant (use ${variants.join(", ")})`);
    }
    if (!isPlain(variant)) throw new Error(`style.${vname} must be a plain object`);
    for (const [k, v] of Object.entries(variant)) {
      if (pseudos.has(k)) {
        if (!isPlain(v)) throw new Error(`style.${vname}["${k}"] must be a plain object`);
        for (const [pk, pv] of Object.entries(v)) checkProperty(`style.${vname}["${k}"].${pk}`, pk, pv);
        continue;
      }
      checkProperty(`style.${vname}.${k}`, k, v);
    }
  }
  return style as Style;
}

function checkProperty(path: string, name: string, value: unknown): void {
  if (!properties.has(name)) {
    throw new Error(`${path} is not an allowed property (see the Style type)`);
  }
  const why = checkValue(value);
  if (why) throw new Error(`${path} ${why}`);
}

function isPlain(v: unknown): v is Record<string, unknown> {
  if (!v || typeof v !== "object" || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/**
 * styleCSS returns CSS rules for a checked style. selector(variant) gives
 * the selector of the inputs a variant applies to.
 */
export function styleCSS(style: Style, selector: (variant: (typeof variants)[number]) => string): string {
  const out: string[] = [];
  for (const vname of variants) {
    const variant = style[vname];
    if (!variant) continue;
    const sel = selector(vname);
    const own: string[] = [];
    for (const [k, v] of Object.entries(variant)) {
      if (pseudos.has(k)) {
        const decls = declarations(v as Record<string, unknown>);
        if (decls) out.push(`${sel}${k}{${decls}}`);
      } else {
        own.push(`${kebab(k)}:${String(v)}`);
      }
    }
    if (own.length) out.push(`${sel}{${own.join(";")}}`);
  }
  return out.join("\n");
}

function declarations(o: Record<string, unknown>): string {
  return Object.entries(o)
    .map(([k, v]) => `${kebab(k)}:${String(v)}`)
    .join(";");
}

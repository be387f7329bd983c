import type { Locale } from "./types.js";

/** The locales the hosted fields and QR messages are translated into. */
export const LOCALES: readonly Locale[] = ["en", "zh-CN", "ja", "ko", "ru", "es", "pt-BR", "de", "fr", "id", "th", "vi"];

/** isLocale reports whether s is a supported locale. */
export function isLocale(s: unknown): s is Locale {
  return typeof s === "string" && (LOCALES as readonly string[]).includes(s);
}

/**
 * pickLocale maps a BCP 47 tag (or a list, best first) to a supported
 * locale: exact match, then the language alone (zh → zh-CN, pt → pt-BR),
 * then English.
 */
export function pickLocale(tags: readonly string[]): Locale {
  for (const tag of tags) {
    const exact = LOCALES.find((l) => l.toLowerCase() === tag.toLowerCase());
    if (exact) return exact;
    const lang = tag.split("-")[0]!.toLowerCase();
    const byLang = LOCALES.find((l) => l.split("-")[0]!.toLowerCase() === lang);
    if (byLang) return byLang;
  }
  return "en";
}

/** browserLocale picks a locale from navigator.languages. */
export function browserLocale(): Locale {
  const nav = typeof navigator === "object" ? navigator : undefined;
  const tags = nav?.languages?.length ? nav.languages : nav?.language ? [nav.language] : [];
  return pickLocale(tags);
}

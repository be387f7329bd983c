import type { Locale } from "./types.cjs";
/** The locales the hosted fields and QR messages are translated into. */
export declare const LOCALES: readonly Locale[];
/** isLocale reports whether s is a supported locale. */
export declare function isLocale(s: unknown): s is Locale;
/**
 * pickLocale maps a BCP 47 tag (or a list, best first) to a supported
 * locale: exact match, then the language alone (zh → zh-CN, pt → pt-BR),
 * then English.
 */
export declare function pickLocale(tags: readonly string[]): Locale;
/** browserLocale picks a locale from navigator.languages. */
export declare function browserLocale(): Locale;

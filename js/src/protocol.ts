/**
 * The postMessage protocol between the merchant's page ("parent") and the
 * edge's frame. Every message is a plain object tagged `sealpay: 1` with the
 * channel id the parent put in the frame's URL. Both sides check the sender:
 * the parent accepts messages only from the edge's origin and its frame's
 * window; the frame only from the parent origin named in its URL (which the
 * edge checked against the key's allowed origins) and `window.parent`.
 */
import type { CardBrand, CardField, SealpayErrorInfo, TokenResult, Wallet, WalletTokenResult } from "./types.js";

export const PROTOCOL = 1;

/**
 * Frame modes: visible card fields, a hidden core for QR checks, or wallet
 * buttons (Google Pay; the edge gives this mode alone the policy that lets
 * Google's pay.js run, and no card module).
 */
export type FrameMode = "card" | "core" | "wallet";

/** What the frame's URL carries (query string). */
export interface FrameParams {
  /** The parent page's origin; the edge checks it against the key. */
  origin: string;
  key: string;
  channel: string;
  mode: FrameMode;
  locale: string;
  merchant?: string;
  /** JSON of the (checked) style object. */
  style?: string;
  hideName?: boolean;
}

/** Commands the parent sends to the frame. */
export type Command =
  | { type: "tokenize"; save?: boolean }
  | { type: "verifyQR"; payload: string; expect?: unknown; lang?: string }
  | { type: "focus" }
  | { type: "clear" }
  | { type: "wallet"; googlePay: unknown; save?: boolean };

/** Parent → frame envelope. */
export interface CommandMessage {
  sealpay: typeof PROTOCOL;
  channel: string;
  id: number;
  command: Command;
}

/** Frame → parent messages. */
export type FrameEvent =
  | { type: "ready"; version: string; /** the card frame's title, localized */ title?: string }
  | { type: "change"; complete: boolean; empty: boolean; brand: CardBrand | null; error?: SealpayErrorInfo }
  | { type: "focus"; field: CardField }
  | { type: "blur"; field: CardField }
  | { type: "complete"; brand: CardBrand }
  | { type: "error"; error: SealpayErrorInfo }
  | { type: "resize"; height: number }
  | { type: "token"; value: WalletTokenResult }
  | { type: "cancel"; wallet: Wallet }
  | { type: "result"; id: number; ok: true; value: TokenResult | unknown }
  | { type: "result"; id: number; ok: false; error: SealpayErrorInfo };

/** Frame → parent envelope. */
export type EventMessage = FrameEvent & { sealpay: typeof PROTOCOL; channel: string };

/** frameURL builds the frame's address on the edge. */
export function frameURL(edge: string, p: FrameParams): string {
  const q = new URLSearchParams({ origin: p.origin, key: p.key, channel: p.channel, mode: p.mode, locale: p.locale });
  if (p.merchant) q.set("merchant", p.merchant);
  if (p.style) q.set("style", p.style);
  if (p.hideName) q.set("hide_name", "1");
  return `${edge}/v1/frame.html?${q.toString()}`;
}

/** parseFrameParams reads and checks the frame's own query string. */
export function parseFrameParams(search: string): FrameParams | null {
  const q = new URLSearchParams(search);
  const origin = q.get("origin") ?? "";
  const key = q.get("key") ?? "";
  const channel = q.get("channel") ?? "";
  const mode = q.get("mode");
  if (!isOrigin(origin) || !/^pk_[A-Za-z0-9_]{1,200}$/.test(key) || !/^[A-Za-z0-9]{8,64}$/.test(channel)) {
    return null;
  }
  if (mode !== "card" && mode !== "core" && mode !== "wallet") return null;
  const p: FrameParams = { origin, key, channel, mode, locale: q.get("locale") ?? "en" };
  const merchant = q.get("merchant");
  if (merchant) p.merchant = merchant;
  const style = q.get("style");
  if (style) p.style = style;
  if (q.get("hide_name") === "1") p.hideName = true;
  return p;
}

/** isOrigin reports whether s is a serialized https origin (or http on a loopback host). */
export function isOrigin(s: string): boolean {
  let u: URL;
  try {
    u = new URL(s);
  } catch {
    return false;
  }
  if (u.origin !== s) return false;
  if (u.protocol === "https:") return true;
  return u.protocol === "http:" && isLoopback(u.hostname);
}

function isLoopback(host: string): boolean {
  return host === "localhost" || host === "[::1]" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/** isMessage reports whether data is a Sealpay protocol message on channel. */
export function isMessage(data: unknown, channel: string): data is { sealpay: 1; channel: string; [k: string]: unknown } {
  if (!data || typeof data !== "object") return false;
  const d = data as { sealpay?: unknown; channel?: unknown };
  return d.sealpay === PROTOCOL && d.channel === channel;
}

/** newChannel returns a random channel id. */
export function newChannel(): string {
  const b = new Uint8Array(12);
  crypto.getRandomValues(b);
  return Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
}

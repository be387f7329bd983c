/**
 * The parent side of the edge's frame: creating the iframe, checked
 * postMessage in both directions, and request/response commands.
 */
import { SealpayError, SealpayUsageError, toSealpayError } from "./errors.js";
import { frameURL, isMessage, newChannel, PROTOCOL, type Command, type FrameEvent, type FrameMode } from "./protocol.js";
import type { CardElement, CardElementEventMap, CardElementOptions, TokenResult } from "./types.js";

/** What a frame connection needs from the loaded Sealpay. */
export interface FrameConfig {
  edge: string;
  key: string;
  locale: string;
  merchant?: string;
}

/**
 * The card frame's height in CSS pixels, with and without the name row:
 * 2 px padding above and below, rows of label (16) + input (40) + error
 * text (16) with 2 px gaps, 8 px between rows. frame.ts's baseCSS fixes
 * these heights; the Chromium tests check the two agree.
 */
export const cardHeight = { withName: 248, withoutName: 164 } as const;

/** How long a command may take before it is given up. */
const commandTimeout = 60_000;

/** Frame is one iframe on the edge and its message channel. */
export class Frame {
  readonly channel = newChannel();
  readonly iframe: HTMLIFrameElement;
  private readonly edgeOrigin_: string;
  private nextID_ = 1;
  private readonly waiting_ = new Map<number, { resolve(v: unknown): void; reject(e: unknown): void; timer: ReturnType<typeof setTimeout> }>();
  private readyPromise_: Promise<void>;
  private resolveReady_!: () => void;
  private listening_ = false;

  constructor(
    cfg: FrameConfig,
    mode: FrameMode,
    extra: { style?: string; hideName?: boolean; locale?: string },
    private readonly onEvent_: (e: FrameEvent) => void,
  ) {
    this.edgeOrigin_ = new URL(cfg.edge).origin;
    this.iframe = document.createElement("iframe");
    this.iframe.src = frameURL(cfg.edge, {
      origin: window.location.origin,
      key: cfg.key,
      channel: this.channel,
      mode,
      locale: extra.locale ?? cfg.locale,
      merchant: cfg.merchant,
      style: extra.style,
      hideName: extra.hideName,
    });
    this.iframe.setAttribute("frameborder", "0");
    this.iframe.setAttribute("scrolling", "no");
    this.iframe.setAttribute("allowtransparency", "true");
    // The frame's rows have fixed heights (frame.ts's baseCSS), so the
    // iframe is as tall as the form from its first paint: nothing below it
    // on the merchant's page moves when the fields appear.
    this.iframe.style.cssText = mode === "card"
      ? `border:0;width:100%;min-width:200px;height:${extra.hideName ? cardHeight.withoutName : cardHeight.withName}px;display:block;overflow:hidden;background:transparent`
      : "border:0;width:0;height:0;position:absolute;left:-9999px;visibility:hidden";
    if (mode === "core") {
      this.iframe.setAttribute("aria-hidden", "true");
      this.iframe.tabIndex = -1;
    }
    this.iframe.title = mode === "card" ? "Secure card payment input" : "Sealpay";
    this.readyPromise_ = new Promise((r) => (this.resolveReady_ = r));
  }

  /** listen starts accepting messages from the frame. */
  listen(): void {
    if (this.listening_) return;
    this.listening_ = true;
    window.addEventListener("message", this.handle_);
  }

  /** close stops listening and fails every pending command. */
  close(reason: string): void {
    window.removeEventListener("message", this.handle_);
    this.listening_ = false;
    for (const [id, w] of this.waiting_) {
      clearTimeout(w.timer);
      w.reject(new SealpayError("internal", reason));
      this.waiting_.delete(id);
    }
    this.iframe.remove();
    this.readyPromise_ = new Promise((r) => (this.resolveReady_ = r));
  }

  /** ready resolves when the frame shows its fields (its module may still be loading). */
  ready(): Promise<void> {
    return this.readyPromise_;
  }

  /**
   * send posts a command once the frame is ready and resolves with its
   * result. The timeout covers the wait for readiness too: a frame whose
   * script never runs (blocked, or refused by its integrity hash) must not
   * leave the caller waiting forever.
   */
  send<T>(command: Command): Promise<T> {
    const id = this.nextID_++;
    let ready = false;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting_.delete(id);
        reject(new SealpayError("upstream_error", `Sealpay: the frame did not answer in time${ready ? "" : " (it never became ready)"}`));
      }, commandTimeout);
      this.waiting_.set(id, { resolve: resolve as (v: unknown) => void, reject, timer });
      void this.readyPromise_.then(() => {
        ready = true;
        if (!this.waiting_.has(id)) return;
        const win = this.iframe.contentWindow;
        if (!win) {
          this.waiting_.delete(id);
          clearTimeout(timer);
          reject(new SealpayError("internal", "Sealpay: the frame is not mounted"));
          return;
        }
        win.postMessage({ sealpay: PROTOCOL, channel: this.channel, id, command }, this.edgeOrigin_);
      });
    });
  }

  private handle_ = (ev: MessageEvent): void => {
    // Only the edge's origin and this frame's own window may talk to us.
    if (ev.origin !== this.edgeOrigin_ || ev.source !== this.iframe.contentWindow) return;
    if (!isMessage(ev.data, this.channel)) return;
    const e = ev.data as unknown as FrameEvent;
    if (e.type === "result") {
      const w = this.waiting_.get(e.id);
      if (!w) return;
      this.waiting_.delete(e.id);
      clearTimeout(w.timer);
      if (e.ok) w.resolve(e.value);
      else w.reject(toSealpayError(e.error));
      return;
    }
    if (e.type === "ready") {
      // The frame knows the shopper's language; the loader carries no texts.
      if (typeof e.title === "string" && e.title) this.iframe.title = e.title.slice(0, 100);
      this.resolveReady_();
    }
    if (e.type === "resize" && typeof e.height === "number" && e.height > 0 && e.height < 2000) {
      this.iframe.style.height = `${Math.ceil(e.height)}px`;
      return;
    }
    this.onEvent_(e);
  };
}

type Handlers = { [K in keyof CardElementEventMap]: Set<(e: CardElementEventMap[K]) => void> };

const eventNames = ["ready", "change", "focus", "blur", "complete", "error"] as const;

/** createCardElement returns the hosted card fields for a loaded Sealpay. */
export function createCardElement(cfg: FrameConfig, opts: CardElementOptions, style: string | undefined): CardElement {
  const handlers: Handlers = {
    ready: new Set(), change: new Set(), focus: new Set(), blur: new Set(), complete: new Set(), error: new Set(),
  };
  let destroyed = false;
  let mounted = false;

  const emit = <K extends keyof CardElementEventMap>(name: K, payload: CardElementEventMap[K]): void => {
    for (const h of handlers[name]) {
      try {
        h(payload);
      } catch (err) {
        setTimeout(() => { throw err; });
      }
    }
  };

  const frame = new Frame(cfg, "card", { style, hideName: opts.hideName, locale: opts.locale }, (e) => {
    switch (e.type) {
      case "ready": emit("ready", {}); break;
      case "change": {
        const { complete, empty, brand, error } = e;
        emit("change", error ? { complete, empty, brand, error } : { complete, empty, brand });
        break;
      }
      case "focus": emit("focus", { field: e.field }); break;
      case "blur": emit("blur", { field: e.field }); break;
      case "complete": emit("complete", { brand: e.brand }); break;
      case "error": emit("error", e.error); break;
    }
  });

  const alive = (what: string): void => {
    if (destroyed) throw new SealpayUsageError(`You cannot call "${what}" on a destroyed card element; create a new one with cardElement()`);
  };

  const element: CardElement = {
    mount(target) {
      alive("mount");
      if (mounted) throw new SealpayUsageError('The card element is already mounted; call "unmount" first');
      const el = typeof target === "string" ? document.querySelector(target) : target;
      if (!el || typeof (el as Element).appendChild !== "function") {
        throw new SealpayUsageError(`mount: no element matches ${typeof target === "string" ? JSON.stringify(target) : "the argument"}; pass a CSS selector or an HTMLElement that is in the page`);
      }
      frame.listen();
      (el as Element).appendChild(frame.iframe);
      mounted = true;
    },
    on(event, handler) {
      alive("on");
      if (!(eventNames as readonly string[]).includes(event)) {
        throw new SealpayUsageError(`Unknown event ${JSON.stringify(event)}; use one of ${eventNames.join(", ")}`);
      }
      if (typeof handler !== "function") throw new SealpayUsageError(`on(${JSON.stringify(event)}, handler): handler must be a function`);
      (handlers[event] as Set<typeof handler>).add(handler);
      return () => element.off(event, handler);
    },
    off(event, handler) {
      (handlers[event] as Set<typeof handler> | undefined)?.delete(handler);
    },
    async tokenize(options) {
      alive("tokenize");
      if (!mounted) throw new SealpayUsageError('Call "mount" before "tokenize"');
      if (options !== undefined && (options === null || typeof options !== "object")) {
        throw new SealpayUsageError("tokenize(options): options must be an object like { save: true }");
      }
      const save = options?.save;
      if (save !== undefined && typeof save !== "boolean") {
        throw new SealpayUsageError("tokenize({ save }): save must be true or false");
      }
      const r = await frame.send<TokenResult>(save ? { type: "tokenize", save: true } : { type: "tokenize" });
      return pickToken(r);
    },
    focus() {
      if (mounted) void frame.send({ type: "focus" }).catch(() => undefined);
    },
    clear() {
      if (mounted) void frame.send({ type: "clear" }).catch(() => undefined);
    },
    unmount() {
      if (!mounted) return;
      frame.close("Sealpay: the card element was unmounted");
      mounted = false;
    },
    destroy() {
      element.unmount();
      for (const n of eventNames) handlers[n].clear();
      destroyed = true;
    },
  };
  return element;
}

/** pickToken keeps only the documented members of a token result. */
export function pickToken(r: unknown): TokenResult {
  const o = (r ?? {}) as { token?: unknown; card?: Record<string, unknown> };
  const c = o.card ?? {};
  if (typeof o.token !== "string" || !/^tok_[A-Za-z0-9]{22}$/.test(o.token)) {
    throw new SealpayError("upstream_error", "Sealpay: the edge sent no token");
  }
  return {
    token: o.token,
    card: {
      brand: c.brand as TokenResult["card"]["brand"],
      last4: String(c.last4 ?? ""),
      exp_month: Number(c.exp_month),
      exp_year: Number(c.exp_year),
      fingerprint: String(c.fingerprint ?? ""),
    },
  };
}

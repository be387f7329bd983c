/**
 * The parent side of the edge's frame: creating the iframe, checked
 * postMessage in both directions, and request/response commands.
 */
import { SealpayError, SealpayUsageError, toSealpayError } from "./errors.js";
import { frameURL, isMessage, newChannel, PROTOCOL, type Command, type FrameEvent, type FrameMode } from "./protocol.js";
import type { Lib, WalletState } from "./extra.js";
import { loadExtra } from "./lazy.js";
import { pickToken } from "./token.js";
import type {
  CardElement, CardElementEventMap, CardElementOptions, SealpayErrorInfo, TokenResult, WalletButton, WalletButtonEventMap, WalletButtonOptions,
} from "./types.js";

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
    extra: { style?: string; hideName?: boolean; locale?: string; height?: number },
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
    // (The core frame's hiding is verifyQR's, in extra.ts.)
    this.iframe.style.cssText = `border:0;width:100%;min-width:200px;height:${extra.height ?? (extra.hideName ? cardHeight.withoutName : cardHeight.withName)}px;display:block;overflow:hidden;background:transparent`;
    // A wallet's sheet is the Payment Request API in Chromium, which a
    // cross-origin frame may use only when its parent delegates it.
    if (mode === "wallet") this.iframe.allow = "payment";
    this.iframe.title = mode === "card" ? "Secure card payment input" : "Pay with a wallet";
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

/** The parts every element shares: listeners, mount, unmount and destroy. */
interface Base<M> {
  emit<K extends keyof M>(name: K, payload: M[K]): void;
  alive(what: string): void;
  mounted(): boolean;
  element: {
    mount(target: string | HTMLElement): void;
    on<K extends keyof M>(event: K, handler: (e: M[K]) => void): () => void;
    off<K extends keyof M>(event: K, handler: (e: M[K]) => void): void;
    unmount(): void;
    destroy(): void;
  };
}

/** base makes the shared parts of an element named what (for messages), with the given events, over frame(). */
function base<M>(what: string, names: readonly (keyof M & string)[], frame: () => Frame): Base<M> {
  const handlers = new Map<keyof M, Set<(e: never) => void>>(names.map((n) => [n, new Set()]));
  let destroyed = false;
  let mounted = false;
  const alive = (verb: string): void => {
    if (destroyed) throw new SealpayUsageError(`You cannot call "${verb}" on a destroyed ${what}; create a new one`);
  };
  const element: Base<M>["element"] = {
    mount(target) {
      alive("mount");
      if (mounted) throw new SealpayUsageError(`The ${what} is already mounted; call "unmount" first`);
      const el = typeof target === "string" ? document.querySelector(target) : target;
      if (!el || typeof (el as Element).appendChild !== "function") {
        throw new SealpayUsageError(`mount: no element matches ${typeof target === "string" ? JSON.stringify(target) : "the argument"}; pass a CSS selector or an HTMLElement that is in the page`);
      }
      frame().listen();
      (el as Element).appendChild(frame().iframe);
      mounted = true;
    },
    on(event, handler) {
      alive("on");
      const set = handlers.get(event);
      if (!set) throw new SealpayUsageError(`Unknown event ${JSON.stringify(event)}; use one of ${names.join(", ")}`);
      if (typeof handler !== "function") throw new SealpayUsageError(`on(${JSON.stringify(event)}, handler): handler must be a function`);
      set.add(handler as (e: never) => void);
      return () => element.off(event, handler);
    },
    off(event, handler) {
      handlers.get(event)?.delete(handler as (e: never) => void);
    },
    unmount() {
      if (!mounted) return;
      frame().close(`Sealpay: the ${what} was unmounted`);
      mounted = false;
    },
    destroy() {
      element.unmount();
      for (const set of handlers.values()) set.clear();
      destroyed = true;
    },
  };
  return {
    emit(name, payload) {
      for (const h of handlers.get(name) ?? []) {
        try {
          (h as (e: typeof payload) => void)(payload);
        } catch (err) {
          setTimeout(() => { throw err; });
        }
      }
    },
    alive,
    mounted: () => mounted,
    element,
  };
}

/** createCardElement returns the hosted card fields for a loaded Sealpay. */
export function createCardElement(cfg: FrameConfig, opts: CardElementOptions, style: string | undefined): CardElement {
  const frame: Frame = new Frame(cfg, "card", { style, hideName: opts.hideName, locale: opts.locale }, (e) => {
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
  const b = base<CardElementEventMap>("card element", ["ready", "change", "focus", "blur", "complete", "error"], () => frame);
  const emit = b.emit;

  const element: CardElement = {
    ...b.element,
    async tokenize(options) {
      b.alive("tokenize");
      if (!b.mounted()) throw new SealpayUsageError('Call "mount" before "tokenize"');
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
      if (b.mounted()) void frame.send({ type: "focus" }).catch(() => undefined);
    },
    clear() {
      if (b.mounted()) void frame.send({ type: "clear" }).catch(() => undefined);
    },
  };
  return element;
}

/** The wallet frame's height in CSS pixels unless the options say otherwise. */
export const walletHeight = 48;

/**
 * createWalletButton returns the wallet buttons' frame for a loaded
 * Sealpay; the caller checked the options. What it does with the frame's
 * messages and update is in extra.ts (loaded on first use in the <script>
 * build): on the frame's ready it sends the Google Pay options (again
 * after a remount), and the frame answers with the wallets it shows.
 * Messages that arrive while extra.ts loads wait for it, in order.
 */
export function createWalletButton(cfg: FrameConfig, opts: WalletButtonOptions & { locale?: string }, lib: Lib): WalletButton {
  // The npm builds have extra.ts at once; the <script> build, a promise of it.
  const x = loadExtra(cfg.edge);
  const frame: Frame = new Frame(cfg, "wallet", { locale: opts.locale, height: opts.height ?? walletHeight }, (e) => {
    if (!(x instanceof Promise)) x.walletEvent(lib, w, e);
    else x.then((m) => m.walletEvent(lib, w, e), (err: unknown) => b.emit("error", info(toSealpayError(err))));
  });
  const b = base<WalletButtonEventMap>("wallet button", ["ready", "token", "cancel", "error"], () => frame);
  const w: WalletState = { frame, emit: b.emit, alive: b.alive, mounted: b.mounted, googlePay: opts.googlePay, save: opts.save };
  return {
    ...b.element,
    async update(options) {
      b.alive("update");
      await (await x).walletUpdate(lib, w, options);
    },
  };
}

function info(e: SealpayError): SealpayErrorInfo {
  return { code: e.code, message: e.message };
}

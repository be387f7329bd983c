// The poster page's script: scan a code (an image on the page, a photo,
// the camera) or take pasted text, and check it with Sealpay.verifyQR —
// which runs in the edge's sandboxed frame against the registry's signed
// trust bundle. Served from this origin under a strict CSP.
"use strict";
(() => {
  const cfg = JSON.parse(document.getElementById("poster-config").textContent);
  const t = cfg.strings;
  const $ = (id) => document.getElementById(id);
  $("lang").addEventListener("change", () => $("prefs").submit());
  $("apply").hidden = true;

  let sp = null;

  // money formats a code's decimal amount for the shopper's language.
  function money(amount, currency) {
    if (!/^[A-Z]{3}$/.test(currency || "")) return currency ? `${amount} ${currency}` : amount;
    try {
      return new Intl.NumberFormat(cfg.lang, { style: "currency", currency }).format(Number(amount));
    } catch {
      return `${amount} ${currency}`;
    }
  }

  function row(dl, label, value) {
    if (!value) return;
    dl.append(Object.assign(document.createElement("dt"), { textContent: label }), Object.assign(document.createElement("dd"), { textContent: value }));
  }

  function show(v) {
    const box = $("result");
    box.hidden = false;
    box.dataset.status = v.status;
    $("status").textContent = t[`status_${v.status}`] || v.status;
    $("headline").textContent = v.headline;
    const dl = $("details");
    dl.replaceChildren();
    if (v.status === "verified") row(dl, t.r_merchant, v.merchant);
    else row(dl, t.r_payee, v.payee);
    if (v.amount) row(dl, t.r_amount, money(v.amount, v.currency));
    row(dl, t.r_reference, v.reference);
    if (v.expires_at) row(dl, t.r_expires, new Date(v.expires_at * 1000).toLocaleString(cfg.lang));
    $("reasons").replaceChildren(...(v.reasons || []).map((r) => Object.assign(document.createElement("li"), { textContent: r.message, title: r.code })));
    box.scrollIntoView({ block: "nearest" });
  }

  async function check(payload) {
    $("note").textContent = t.checking;
    try {
      show(await sp.verifyQR(payload, { lang: cfg.lang }));
      $("note").textContent = "";
    } catch (e) {
      $("note").textContent = e && e.message ? e.message : String(e);
    }
  }

  async function scan(source) {
    $("note").textContent = t.checking;
    const text = await sp.scanQR(source);
    if (!text) {
      $("note").textContent = t.no_code;
      return;
    }
    $("paste").value = text;
    await check(text);
  }

  for (const b of document.querySelectorAll("button.scan")) {
    b.addEventListener("click", () => scan($(b.dataset.img)).catch((e) => ($("note").textContent = e.message)));
  }
  $("check").addEventListener("click", () => {
    const text = $("paste").value.trim();
    if (text) void check(text);
  });
  $("file").addEventListener("change", async () => {
    const f = $("file").files[0];
    if (!f) return;
    const img = new Image();
    const url = URL.createObjectURL(f);
    try {
      img.src = url;
      await img.decode();
      await scan(img);
    } catch (e) {
      $("note").textContent = t.no_code;
    } finally {
      URL.revokeObjectURL(url);
    }
  });

  let stream = null;
  $("camera").addEventListener("click", async () => {
    const video = $("video");
    if (stream) {
      stream.getTracks().forEach((tr) => tr.stop());
      stream = null;
      video.hidden = true;
      $("camera").textContent = t.camera;
      return;
    }
    try {
      stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } });
    } catch {
      $("note").textContent = t.camera_error;
      return;
    }
    video.srcObject = stream;
    video.hidden = false;
    await video.play();
    $("camera").textContent = t.camera_stop;
    const tick = async () => {
      if (!stream) return;
      const text = video.readyState >= 2 ? await sp.scanQR(video).catch(() => null) : null;
      if (text) {
        $("camera").click();
        $("paste").value = text;
        await check(text);
        return;
      }
      setTimeout(tick, 300);
    };
    void tick();
  });

  window.Sealpay.load({ edge: cfg.edge, key: cfg.key, locale: cfg.lang, merchant: cfg.merchant }).then(
    (s) => {
      sp = s;
      for (const id of ["scan-genuine", "scan-tampered", "file", "camera", "check"]) $(id).disabled = false;
      document.body.dataset.ready = "1";
    },
    (e) => {
      $("note").textContent = `${t.load_error} (${e && e.code ? e.code : "load"})`;
    },
  );
})();

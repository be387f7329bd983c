// What any script on the merchant's page — the merchant's own or one
// injected into it — can learn about the card typed into the hosted
// fields: every postMessage the page receives, and the results of trying
// to reach into the frame.
window.spy = { messages: [] };
window.addEventListener("message", (e) => {
  let data;
  try {
    data = JSON.stringify(e.data);
  } catch {
    data = String(e.data);
  }
  window.spy.messages.push({ origin: e.origin, data });
});

/** probe tries every way into the frame and returns what each gave. */
window.spy.probe = () => {
  const iframe = document.querySelector("#card iframe");
  const tries = {};
  const attempt = (name, f) => {
    try {
      const v = f();
      tries[name] = { ok: v !== null && v !== undefined, value: v === null || v === undefined ? String(v) : String(v).slice(0, 500) };
    } catch (e) {
      tries[name] = { ok: false, error: e.name };
    }
  };
  attempt("frames[0].document", () => window.frames[0].document.documentElement.outerHTML);
  attempt("iframe.contentWindow.document", () => iframe.contentWindow.document.documentElement.outerHTML);
  attempt("iframe.contentDocument", () => iframe.contentDocument?.documentElement.outerHTML);
  attempt("frames[0].location.href", () => window.frames[0].location.href);
  attempt("frames[0].number input", () => window.frames[0].document.getElementById("number").value);
  return {
    tries,
    html: document.documentElement.outerHTML,
    text: document.body.innerText,
    values: Array.from(document.querySelectorAll("input, textarea"), (i) => i.value),
    storage: JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }) + document.cookie,
  };
};

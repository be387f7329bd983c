// Loaded first by every test page: records Content-Security-Policy
// violations (securitypolicyviolation events) and resources that failed to
// load (script and iframe error events, which do not bubble but can be
// caught on window in the capture phase).
window.watch = { violations: [], loadErrors: [] };
window.addEventListener("securitypolicyviolation", (e) => {
  window.watch.violations.push({ directive: e.effectiveDirective, blocked: e.blockedURI, sample: e.sample });
}, true);
window.addEventListener("error", (e) => {
  const t = e.target;
  if (t && t !== window && t.tagName) window.watch.loadErrors.push({ tag: t.tagName, src: t.src || "" });
}, true);

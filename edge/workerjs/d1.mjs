// The D1 side of edge/worker's store (d1_js.go). Go hands over a whole
// unit, or one read, as one JSON string and gets the rows back as one JSON
// string: one crossing each way instead of a JS object per statement,
// argument, row and value, each of which costs Go a finalizer and a call
// (syscall/js).
//
// Wire format, both ways: an array; a blob is {"$b": base64} (no argument
// or column of ours is any other kind of object).
//   batch(db, '[{"sql": "...", "args": [...]}, ...]') → '[[row, ...], ...]'
//   query(db, '{"sql": "...", "args": [...]}')         → '[row, ...]'
// where a row is an array of column values.

/**
 * arg turns a decoded argument into what D1's bind() takes.
 * @param {unknown} v
 */
function arg(v) {
  if (v !== null && typeof v === "object") {
    const s = atob(v.$b);
    const b = new Uint8Array(s.length);
    for (let i = 0; i < s.length; i++) b[i] = s.charCodeAt(i);
    return b;
  }
  return v;
}

/**
 * column turns a D1 column value into its wire form. D1 returns a blob as
 * an array of byte values or as an ArrayBuffer (or a view of one).
 * @param {unknown} v
 */
export function column(v) {
  if (v === null || typeof v !== "object") return v;
  let bytes;
  if (Array.isArray(v)) bytes = v;
  else if (v instanceof ArrayBuffer) bytes = new Uint8Array(v);
  else if (ArrayBuffer.isView(v)) bytes = new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
  else throw new TypeError("D1 returned a column of an unknown kind");
  let s = "";
  for (let i = 0; i < bytes.length; i++) s += String.fromCharCode(bytes[i]);
  return { $b: btoa(s) };
}

/** @param {{sql: string, args?: unknown[]}} s */
function prepare(db, s) {
  return db.prepare(s.sql).bind(...(s.args ?? []).map(arg));
}

/**
 * batch runs the statements as one db.batch(): one round trip, atomic.
 * @param {D1Database} db
 * @param {string} stmts
 * @returns {Promise<string>}
 */
export async function batch(db, stmts) {
  const results = await db.batch(JSON.parse(stmts).map((s) => prepare(db, s)));
  return JSON.stringify(results.map((r) => (r.results ?? []).map((row) => Object.values(row).map(column))));
}

/**
 * query runs one read, prepare().bind().raw().
 * @param {D1Database} db
 * @param {string} stmt
 * @returns {Promise<string>}
 */
export async function query(db, stmt) {
  const rows = await prepare(db, JSON.parse(stmt)).raw();
  return JSON.stringify(rows.map((row) => row.map(column)));
}

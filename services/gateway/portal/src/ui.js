// Small DOM helpers: elements, paged tables over Relay connections, forms that show the API's errors
// beside the field they name (extensions.field), and progress for long work.
import { ApiError } from "./api.js";

export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value == null || value === false) continue;
    if (key.startsWith("on")) el.addEventListener(key.slice(2), value);
    else if (key === "class") el.className = value;
    else el.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child == null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

export const fmt = {
  int: (n) => (n == null ? "—" : Number(n).toLocaleString("zh-CN")),
  money: (m) => (m == null ? "—" : `¥${Number(m).toLocaleString("zh-CN", { minimumFractionDigits: 2 })}`),
  date: (d) => (d ? String(d).slice(0, 10) : "—"),
  bool: (b) => (b ? "是" : "否"),
};

export function errorBox(error) {
  const text = error instanceof ApiError ? error.errors.map((e) => `${e.message}（${e.extensions?.code || "ERROR"}）`).join("\n") : String(error.message || error);
  return h("div", { class: "error", role: "alert" }, text);
}

/**
 * A table over a Relay connection: `load(first, after)` returns {edges, pageInfo, totalCount}.
 * Pages forward with endCursor and back through the cursors it has seen.
 */
export function pagedTable({ columns, load, pageSize = 20, testid }) {
  const root = h("div", { class: "table-wrap", "data-testid": testid });
  const cursors = [null];
  let page = 0;
  async function render() {
    root.replaceChildren(h("div", { class: "muted" }, "加载中…"));
    let connection;
    try {
      connection = await load(pageSize, cursors[page]);
    } catch (error) {
      root.replaceChildren(errorBox(error));
      return;
    }
    const rows = connection.edges.map((e) => e.node);
    cursors[page + 1] = connection.pageInfo.endCursor;
    const table = h("table", {},
      h("thead", {}, h("tr", {}, columns.map((c) => h("th", {}, c.label)))),
      h("tbody", {}, rows.length ? rows.map((row) => h("tr", {}, columns.map((c) => h("td", {}, c.cell ? c.cell(row) : (c.fmt ? c.fmt(row[c.key]) : row[c.key] ?? "—")))))
        : h("tr", {}, h("td", { colspan: columns.length, class: "muted" }, "暂无数据"))));
    const pager = h("div", { class: "pager" },
      h("button", { type: "button", disabled: page === 0, onclick: () => { page -= 1; render(); } }, "上一页"),
      h("span", { "data-testid": testid && `${testid}-page` }, `第 ${page + 1} 页 · 共 ${fmt.int(connection.totalCount)} 条`),
      h("button", { type: "button", disabled: !connection.pageInfo.hasNextPage, onclick: () => { page += 1; render(); } }, "下一页"));
    root.replaceChildren(table, pager);
  }
  render();
  root.reload = () => { page = 0; cursors.length = 1; render(); };
  return root;
}

/** A plain table over a list (for lists the API returns whole, e.g. a round's panel). */
export function listTable({ columns, rows, testid }) {
  return h("table", { "data-testid": testid },
    h("thead", {}, h("tr", {}, columns.map((c) => h("th", {}, c.label)))),
    h("tbody", {}, rows.length ? rows.map((row) => h("tr", {}, columns.map((c) => h("td", {}, c.cell ? c.cell(row) : (c.fmt ? c.fmt(row[c.key]) : row[c.key] ?? "—")))))
      : h("tr", {}, h("td", { colspan: columns.length, class: "muted" }, "暂无数据"))));
}

/**
 * The input path an error names: extensions.field, or, for a variable the API refused while coercing it
 * (a gateway that does not yet give those a field), the path in its standard GraphQL message.
 */
export function errorPath(error) {
  if (error.extensions?.field) return error.extensions.field;
  const coercion = /^Variable '\$\w+' (?:got invalid value|has invalid value).*? at ['"]?\w*((?:\.\w+|\[\d+\])+)/.exec(error.message || "");
  return coercion ? coercion[1].replace(/^\./, "") : null;
}

/** The form field an API error names: `input.tranches[0].amount` → `tranches`, `amount` → `amount`. */
export function fieldFor(path, names) {
  if (!path) return null;
  const parts = String(path).replace(/^input\./, "").split(/[.[\]]+/).filter(Boolean);
  const exact = parts.join(".");
  if (names.includes(exact)) return exact;
  for (let i = parts.length - 1; i >= 0; i -= 1) if (names.includes(parts[i])) return parts[i];
  return null;
}

/**
 * A form for one mutation. fields: [{name, label, type, options, placeholder, value}];
 * submit(values) runs the mutation; errors land beside their field, or above the button.
 */
export function form({ title, fields, submit, submitLabel = "提交", savedText = "已保存", testid, done }) {
  const inputs = {};
  const hints = {};
  const status = h("div", { class: "form-status", "data-testid": testid && `${testid}-status` });
  const body = fields.map((f) => {
    let input;
    if (f.type === "select") {
      const options = typeof f.options === "function" ? f.options() : f.options;
      input = h("select", { name: f.name }, options.map(([value, label]) => h("option", { value, selected: value === f.value }, label)));
    } else if (f.type === "textarea") {
      input = h("textarea", { name: f.name, rows: f.rows || 3, placeholder: f.placeholder }, f.value || "");
    } else if (f.type === "checkbox") {
      input = h("input", { type: "checkbox", name: f.name, checked: !!f.value });
    } else {
      input = h("input", { name: f.name, type: f.type === "date" ? "date" : "text", value: f.value ?? "", placeholder: f.placeholder, inputmode: f.type === "money" || f.type === "int" ? "decimal" : null });
    }
    inputs[f.name] = input;
    hints[f.name] = h("div", { class: "field-error", "data-field-error": f.name });
    return h("label", { class: "field", "data-field": f.name }, h("span", {}, f.label), input, hints[f.name]);
  });
  const button = h("button", { type: "submit" }, submitLabel);
  const el = h("form", { class: "card form", "data-testid": testid, novalidate: true }, title && h("h3", {}, title), body, h("div", { class: "actions" }, button, status));
  el.addEventListener("submit", async (event) => {
    event.preventDefault();
    for (const hint of Object.values(hints)) hint.textContent = "";
    for (const input of Object.values(inputs)) input.removeAttribute("aria-invalid");
    status.replaceChildren(h("span", { class: "muted" }, "提交中…"));
    button.disabled = true;
    const values = {};
    for (const f of fields) {
      const input = inputs[f.name];
      const raw = f.type === "checkbox" ? input.checked : input.value.trim();
      values[f.name] = f.type === "int" ? (raw === "" ? null : Number(raw)) : raw === "" && f.type !== "checkbox" ? null : raw;
    }
    try {
      const result = await submit(values);
      status.replaceChildren(h("span", { class: "ok" }, savedText));
      done?.(result, values);
    } catch (error) {
      if (!(error instanceof ApiError)) {
        status.replaceChildren(errorBox(error));
      } else {
        const general = [];
        for (const e of error.errors) {
          const name = fieldFor(errorPath(e), Object.keys(inputs));
          if (name) {
            hints[name].textContent = e.message;
            inputs[name].setAttribute("aria-invalid", "true");
          } else general.push(e);
        }
        status.replaceChildren(general.length ? errorBox(new ApiError(general)) : h("span", { class: "bad" }, "请更正标出的字段"));
      }
    } finally {
      button.disabled = false;
    }
  });
  return el;
}

/** Progress of long work (a CSV upload, the demo's bulk): a bar and a line of text. */
export function progress(testid) {
  const bar = h("progress", { max: 100, value: 0 });
  const text = h("span", { class: "muted" });
  const el = h("div", { class: "progress", "data-testid": testid }, bar, text);
  el.set = (done, total, label = "") => {
    bar.max = total || 1;
    bar.value = done;
    text.textContent = `${done} / ${total} ${label}`;
  };
  return el;
}

export const lines = (text) => (text || "").split(/\n/).map((l) => l.trim()).filter(Boolean);

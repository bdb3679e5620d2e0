// Service records from a CSV file, hundreds at a time: batches of 100 through reportServiceRecords
// (each batch is all-or-nothing), with progress. A batch the API refuses is retried row by row, so
// every bad row is listed with the API's own error beside it and the good rows of that batch still land.
import { ApiError, gql } from "../api.js";
import { h, progress } from "../ui.js";

const BATCH = 100;
const COLUMNS = ["community", "serviceDate", "beneficiary", "personTimes", "subdistrict"];
const HEADERS = { 社区: "community", 服务日期: "serviceDate", 服务对象: "beneficiary", 服务人次: "personTimes", 街道: "subdistrict" };
const MANY = `mutation($input: [ServiceRecordInput!]!) { reportServiceRecords(input: $input) { id } }`;
const ONE = `mutation($input: ServiceRecordInput!) { reportServiceRecord(input: $input) { id } }`;

/** Rows of a CSV text (quoted fields allowed); the first line names the columns, in English or Chinese. */
export function parseCsv(text) {
  const rows = [];
  let row = [], cell = "", quoted = false;
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { cell += '"'; i += 1; } else if (c === '"') quoted = false; else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") { row.push(cell); cell = ""; } else if (c === "\n" || c === "\r") {
      if (c === "\r" && text[i + 1] === "\n") i += 1;
      row.push(cell); rows.push(row); row = []; cell = "";
    } else cell += c;
  }
  if (cell || row.length) { row.push(cell); rows.push(row); }
  const [header = [], ...body] = rows.filter((r) => r.some((v) => v.trim()));
  const names = header.map((name) => HEADERS[name.trim().replace(/^\ufeff/, "")] || name.trim().replace(/^\ufeff/, ""));
  return body.map((cells, index) => {
    const record = {};
    names.forEach((name, i) => { if (COLUMNS.includes(name) && cells[i]?.trim()) record[name] = cells[i].trim(); });
    return { line: index + 2, record };
  });
}

function toInput(projectId, record) {
  const personTimes = /^\d+$/.test(record.personTimes || "") ? Number(record.personTimes) : record.personTimes;
  return { projectId, community: record.community ?? "", serviceDate: record.serviceDate ?? "", beneficiary: record.beneficiary ?? "",
    personTimes, ...(record.subdistrict ? { subdistrict: record.subdistrict } : {}) };
}

const describe = (error) => (error instanceof ApiError
  ? error.errors.map((e) => `${e.extensions?.field ? `${e.extensions.field}：` : ""}${e.message}`).join("；") : String(error.message || error));

export function serviceRecordsUpload(projects) {
  const select = h("select", { name: "projectId" }, projects.map((p) => h("option", { value: p.id }, p.title)));
  const file = h("input", { type: "file", accept: ".csv,text/csv", name: "csv" });
  const bar = progress("csv-progress");
  const summary = h("div", { "data-testid": "csv-summary" });
  const errors = h("table", { class: "row-errors", "data-testid": "csv-errors" });
  const button = h("button", { type: "submit" }, "上传");
  const el = h("form", { class: "card form", "data-testid": "csv-upload" },
    h("h3", {}, "批量导入服务记录（CSV）"),
    h("p", { class: "muted" }, "第一行为列名：community,serviceDate,beneficiary,personTimes[,subdistrict]（或 社区,服务日期,服务对象,服务人次[,街道]）；每批 100 条。"),
    h("label", { class: "field" }, h("span", {}, "项目"), select), h("label", { class: "field" }, h("span", {}, "文件"), file),
    h("div", { class: "actions" }, button), bar, summary, errors);
  el.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!file.files[0]) { summary.textContent = "请选择 CSV 文件"; return; }
    button.disabled = true;
    const rows = parseCsv(await file.files[0].text());
    const failed = [];
    let saved = 0, done = 0;
    bar.set(0, rows.length, "条");
    for (let start = 0; start < rows.length; start += BATCH) {
      const batch = rows.slice(start, start + BATCH);
      try {
        await gql(MANY, { input: batch.map((r) => toInput(select.value, r.record)) });
        saved += batch.length;
      } catch (error) {
        if (!(error instanceof ApiError) || ["UNAUTHENTICATED", "FORBIDDEN", "NETWORK"].includes(error.code)) {
          failed.push(...batch.map((r) => ({ line: r.line, message: describe(error) })));
        } else {
          for (const row of batch) { // which rows: each on its own, so each error names its row
            try { await gql(ONE, { input: toInput(select.value, row.record) }); saved += 1; } catch (e) { failed.push({ line: row.line, message: describe(e) }); }
          }
        }
      }
      done += batch.length;
      bar.set(done, rows.length, "条");
    }
    summary.textContent = `共 ${rows.length} 条：已保存 ${saved} 条，退回 ${failed.length} 条`;
    errors.replaceChildren(...(failed.length ? [h("thead", {}, h("tr", {}, h("th", {}, "行"), h("th", {}, "错误"))),
      h("tbody", {}, failed.map((f) => h("tr", { "data-line": f.line }, h("td", {}, f.line), h("td", {}, f.message))))] : []));
    button.disabled = false;
  });
  return el;
}

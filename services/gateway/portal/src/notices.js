// 立项公示: the public page of a district's notices. A resident reads them and lodges an objection with
// a contact, no account needed (lodgePublicObjection: public, rate limited per client, recorded for the bureau).
import "./style.css";
import { gql } from "./api.js";
import { CATEGORY } from "./labels.js";
import { errorBox, fmt, form, h } from "./ui.js";

const NOTICES = `query Notices($district: String!) { publicNotices(district: $district) { projectId roundName year title
  category subdistrict community requested noticeStartedAt noticeEndsAt openForObjections } }`;
const LODGE = `mutation Lodge($district: String!, $projectId: ID!, $contact: String!, $text: String!) {
  lodgePublicObjection(district: $district, projectId: $projectId, contact: $contact, text: $text) { received lodgedAt } }`;

const params = new URLSearchParams(location.search);
const app = document.getElementById("app");
const list = h("div", { class: "notices", "data-testid": "notices" });
const district = h("input", { name: "district", value: params.get("district") || "230102", maxlength: 6, inputmode: "numeric" });

async function load() {
  list.replaceChildren(h("div", { class: "muted" }, "加载中…"));
  let notices;
  try {
    notices = (await gql(NOTICES, { district: district.value.trim() }, { token: null })).publicNotices;
  } catch (error) {
    list.replaceChildren(errorBox(error));
    return;
  }
  if (!notices.length) { list.replaceChildren(h("p", { class: "muted" }, "该区目前没有公示中的项目。")); return; }
  list.replaceChildren(...notices.map((n) => h("article", { class: "card notice", "data-testid": "notice" },
    h("h3", {}, n.title),
    h("p", {}, `${n.roundName}（${n.year}）· ${CATEGORY[n.category] || n.category} · ${n.subdistrict || ""}${n.community || ""} · 申请资金 ${fmt.money(n.requested)}`),
    h("p", { class: "muted" }, `公示期：${fmt.date(n.noticeStartedAt)} 至 ${fmt.date(n.noticeEndsAt)}`),
    n.openForObjections
      ? form({ title: "提出异议", testid: "objection", submitLabel: "提交异议", savedText: "已收到，区民政局将通过您留下的联系方式答复", fields: [
        { name: "contact", label: "联系方式（电话或邮箱，仅供民政局回复）" }, { name: "text", label: "异议内容", type: "textarea" }],
      submit: (v) => gql(LODGE, { district: district.value.trim(), projectId: n.projectId, contact: v.contact ?? "", text: v.text ?? "" }, { token: null }) })
      : h("p", { class: "muted" }, "公示期已结束，不再受理异议。"))));
}

app.append(h("div", { class: "layout public" },
  h("header", {}, h("h1", {}, "公益创投立项公示"), h("div", { class: "who" }, h("a", { href: "./" }, "工作人员登录"))),
  h("main", {}, h("div", { class: "card" }, h("label", { class: "field inline" }, h("span", {}, "区划代码"), district),
    h("button", { type: "button", onclick: load }, "查询")), list)));
load();

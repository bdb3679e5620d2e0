// Webhooks for finance and audit systems: the bureau's (or city's) subscriptions, each one's delivery log
// (attempts, status codes, latency, next retry), a test event, a replay of a failed delivery, secret rotation.
import { gql } from "../api.js";
import { errorBox, fmt, form, h, listTable, pagedTable } from "../ui.js";

const FIELDS = `id url description eventTypes district city active createdAt disabledAt secretRotatedAt
  previousSecretValidUntil deliveryCounts { pending delivered failed }`;
const SUBSCRIPTIONS = `query Webhooks { webhookSubscriptions { ${FIELDS} } }`;
const REGISTER = `mutation Register($input: RegisterWebhookInput!) { registerWebhook(input: $input) { secret subscription { id } } }`;
const ROTATE = `mutation Rotate($id: ID!) { rotateWebhookSecret(id: $id) { secret } }`;
const DISABLE = `mutation Disable($id: ID!) { disableWebhook(id: $id) { id } }`;
const TEST = `mutation Test($id: ID!) { sendTestWebhookEvent(id: $id) { id } }`;
const REPLAY = `mutation Replay($id: ID!) { replayWebhookDelivery(id: $id) { id } }`;
const DELIVERIES = `query Deliveries($id: ID!, $first: Int, $after: String) { webhookDeliveries(subscriptionId: $id, first: $first, after: $after) {
  totalCount pageInfo { hasNextPage endCursor } edges { node { id eventId eventType orderId district status attemptCount
  lastStatusCode lastError nextAttemptAt createdAt deliveredAt failedAt
  attempts { number attemptedAt statusCode latencyMs error nextRetryAt } } } } }`;

const EVENTS = [["RECOVERY_ORDERED", "追回令下达"], ["RECOVERY_SETTLED", "追回结清"], ["RECOVERY_OVERDUE", "追回逾期"]];
const STATUS = { PENDING: "投递中", DELIVERED: "已送达", FAILED: "失败" };
const time = (t) => (t ? String(t).slice(0, 19).replace("T", " ") : "—");

export async function webhooksPage(root) {
  const list = h("div", { "data-testid": "webhooks" });
  const log = h("div", { "data-testid": "webhook-log" });
  const secretBox = h("div", { "data-testid": "webhook-secret" });

  function showSecret(secret) {
    secretBox.replaceChildren(h("div", { class: "card" }, h("strong", {}, "签名密钥（只显示这一次，请立即保存）："),
      h("code", {}, secret)));
  }

  async function act(query, id, after) {
    try {
      const data = await gql(query, { id });
      after?.(data);
      await render();
    } catch (error) {
      list.prepend(errorBox(error));
    }
  }

  function deliveries(sub) {
    const table = pagedTable({ testid: "webhook-deliveries",
      load: async (first, after) => (await gql(DELIVERIES, { id: sub.id, first, after })).webhookDeliveries,
      columns: [
        { label: "事件", cell: (d) => `${d.eventType} · ${d.eventId}` },
        { label: "追回令", key: "orderId" },
        { label: "状态", cell: (d) => h("span", { "data-status": d.status }, STATUS[d.status] || d.status) },
        { label: "尝试", cell: (d) => h("ol", { class: "attempts" }, d.attempts.map((a) =>
            h("li", {}, `${time(a.attemptedAt)} · ${a.statusCode ?? a.error ?? "—"} · ${a.latencyMs} ms`
              + (a.nextRetryAt ? ` · 下次重试 ${time(a.nextRetryAt)}` : "")))) },
        { label: "下次投递", cell: (d) => time(d.nextAttemptAt) },
        { label: "", cell: (d) => d.status === "PENDING" ? "" :
            h("button", { type: "button", onclick: () => act(REPLAY, d.id, () => table.reload()) }, "重新投递") },
      ] });
    log.replaceChildren(h("h3", {}, `投递记录：${sub.url}`), table);
  }

  async function render() {
    let subs;
    try {
      subs = (await gql(SUBSCRIPTIONS)).webhookSubscriptions;
    } catch (error) {
      list.replaceChildren(errorBox(error));
      return;
    }
    list.replaceChildren(listTable({ testid: "webhook-list", rows: subs, columns: [
      { label: "地址", key: "url" },
      { label: "说明", key: "description" },
      { label: "事件", cell: (s) => s.eventTypes.map((e) => (EVENTS.find(([v]) => v === e) || [e, e])[1]).join("、") },
      { label: "范围", cell: (s) => s.district || `全市 ${s.city}` },
      { label: "状态", cell: (s) => (s.active ? "启用" : `停用 ${fmt.date(s.disabledAt)}`) },
      { label: "投递中 / 已送达 / 失败", cell: (s) => `${s.deliveryCounts.pending} / ${s.deliveryCounts.delivered} / ${s.deliveryCounts.failed}` },
      { label: "", cell: (s) => h("div", { class: "actions" },
          h("button", { type: "button", onclick: () => { deliveries(s); render(); } }, "投递记录"),
          s.active && h("button", { type: "button", onclick: () => act(TEST, s.id, () => deliveries(s)) }, "发送测试事件"),
          s.active && h("button", { type: "button", onclick: () => act(ROTATE, s.id, (d) => showSecret(d.rotateWebhookSecret.secret)) }, "更换密钥"),
          s.active && h("button", { type: "button", onclick: () => act(DISABLE, s.id) }, "停用")) },
    ] }));
  }

  const register = form({
    title: "登记回调地址（财政、审计系统）", testid: "webhook-form", submitLabel: "登记", savedText: "已登记",
    fields: [
      { name: "url", label: "HTTPS 地址", placeholder: "https://finance.example.gov.cn/hooks/civic" },
      { name: "description", label: "说明" },
      ...EVENTS.map(([value, label]) => ({ name: value, label, type: "checkbox", value: true })),
    ],
    submit: (v) => gql(REGISTER, { input: { url: v.url, description: v.description,
      eventTypes: EVENTS.map(([value]) => value).filter((value) => v[value]) } }),
    done: (data) => { showSecret(data.registerWebhook.secret); render(); },
  });

  root.append(h("h2", {}, "回调订阅（Webhook）"),
    h("p", { class: "muted" }, "每次投递按 Standard Webhooks 签名（webhook-id、webhook-timestamp、webhook-signature）；失败按指数退避重试 24 小时。事件契约：",
      h("a", { href: "/asyncapi.json", target: "_blank" }, "AsyncAPI")),
    register, secretBox, list, log);
  await render();
  return null;
}

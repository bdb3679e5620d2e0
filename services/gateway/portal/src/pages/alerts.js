// Live fund-recovery alerts: the fundRecoveryAlerts subscription over graphql-transport-ws.
import { gql, subscribe } from "../api.js";
import { errorBox, fmt, h, pagedTable } from "../ui.js";

const ALERTS = `subscription Alerts { fundRecoveryAlerts { kind eventId district occurredAt orderId amount reason source
  project { id title organizationName } } }`;

const ORDERS = `query Orders($first: Int, $after: String) { recoveryOrders(first: $first, after: $after) {
  totalCount pageInfo { hasNextPage endCursor } edges { node { id amount reason status source orderedAt settledAt
  project { title organizationName } } } } }`;

const KIND = { ORDERED: "追回令下达", SETTLED: "追回已结清", OVERDUE: "追回已逾期" };

export async function alertsPage(root) {
  const state = h("span", { class: "muted", "data-testid": "alerts-state" }, "连接中…");
  const list = h("ul", { class: "alerts", "data-testid": "alerts" });
  const orders = pagedTable({ testid: "recovery-orders", load: async (first, after) => (await gql(ORDERS, { first, after })).recoveryOrders,
      columns: [{ label: "项目", cell: (r) => r.project?.title }, { label: "承接组织", cell: (r) => r.project?.organizationName },
        { label: "金额", key: "amount", fmt: fmt.money }, { label: "原因", key: "reason" }, { label: "状态", key: "status" },
        { label: "来源", key: "source" }, { label: "下达", key: "orderedAt", fmt: fmt.date }] });
  root.append(h("h2", {}, "资金追回预警（实时）"), h("p", {}, state), list, h("h3", {}, "追回令"), orders);
  return subscribe(ALERTS, {
    connected: () => { state.textContent = "已连接，新的追回令与结清将即时显示"; state.dataset.connected = "true"; },
    next: ({ fundRecoveryAlerts: a }) => {
      list.prepend(h("li", { class: `alert ${(a.kind || "").toLowerCase()}`, "data-testid": "alert", "data-kind": a.kind },
        h("strong", {}, KIND[a.kind] || a.kind), ` ${a.district} · ${a.project?.title || a.projectId} · `,
        h("span", { class: "amount" }, fmt.money(a.amount)), a.reason ? ` · ${a.reason}` : "", ` · ${a.occurredAt.slice(0, 19).replace("T", " ")}`));
      orders.reload();
    },
    error: (error) => { state.replaceChildren(errorBox(error)); },
  });
}

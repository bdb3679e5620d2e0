// The district portal: a hash-routed single page over the public GraphQL API.
import "./style.css";
import { homeFor, session, signIn } from "./api.js";
import { h } from "./ui.js";
import { ROLE } from "./labels.js";
import { signInPage } from "./pages/signin.js";
import { dashboardPage } from "./pages/dashboard.js";
import { roundPage } from "./pages/round.js";
import { alertsPage } from "./pages/alerts.js";
import { cityPage } from "./pages/city.js";
import { webhooksPage } from "./pages/webhooks.js";
import { accountsPage } from "./pages/accounts.js";

const NAV = [
  ["#/dashboard", "数据看板", (a) => a.roles.includes("bureau_admin") || a.roles.includes("subdistrict_officer")],
  ["#/round", "项目流程", (a) => !a.roles.includes("city_admin")],
  ["#/alerts", "资金追回预警", () => true],
  ["#/city", "全市概览", (a) => a.roles.includes("city_admin")],
  ["#/accounts", "账号管理", (a) => a.roles.includes("bureau_admin")],
  ["#/webhooks", "回调订阅", (a) => a.roles.includes("bureau_admin") || a.roles.includes("city_admin")],
];

const PAGES = { dashboard: dashboardPage, round: roundPage, alerts: alertsPage, city: cityPage, webhooks: webhooksPage, accounts: accountsPage };

let cleanup = null;

function shell(account, content) {
  const nav = h("nav", {}, NAV.filter(([, , allowed]) => allowed(account)).map(([href, text]) =>
    h("a", { href, class: location.hash.startsWith(href) ? "active" : null }, text)));
  const who = h("div", { class: "who" },
    h("span", { "data-testid": "who" }, `${account.name} · ${account.roles.map((r) => ROLE[r] || r).join("、")}`),
    h("a", { href: "./notices.html" }, "公示公告"),
    h("a", { href: "/graphql", target: "_blank" }, "接口调试"),
    h("button", { type: "button", onclick: () => { session.clear(); location.hash = "#/signin"; } }, "退出"));
  return h("div", { class: "layout" },
    h("header", {}, h("h1", {}, "社区社会组织培育与公益创投平台"), who), nav, h("main", {}, content));
}

async function route() {
  // Back from the identity provider: /auth/callback sends `#token=<id_token>`.
  if (location.hash.startsWith("#token=")) {
    const account = await signIn(decodeURIComponent(location.hash.slice("#token=".length)));
    history.replaceState(null, "", location.pathname + homeFor(account.roles));
  }
  cleanup?.();
  cleanup = null;
  const app = document.getElementById("app");
  const [name, ...rest] = location.hash.replace(/^#\/?/, "").split("/");
  const account = session.account();
  if (!session.token() || !account || name === "signin") {
    app.replaceChildren(await signInPage());
    return;
  }
  const fallback = homeFor(account.roles).slice(2);
  const page = PAGES[name] || PAGES[fallback];
  if (!PAGES[name]) { location.replace(`#/${fallback}`); return; }
  const content = h("div", { class: "page" });
  app.replaceChildren(shell(account, content));
  cleanup = await page(content, account, rest);
}

window.addEventListener("hashchange", route);
route();

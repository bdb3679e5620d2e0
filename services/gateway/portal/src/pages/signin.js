// Sign-in. Development: the listed development accounts, a token from POST /auth/dev/token.
// OIDC: the city's identity provider (authorization code + PKCE, served by the platform at /auth/login).
import { authConfig, devToken, session } from "../api.js";
import { ROLE } from "../labels.js";
import { errorBox, h } from "../ui.js";

export async function signInPage() {
  const config = await authConfig();
  const status = h("div", { class: "form-status" });
  const card = h("div", { class: "card signin", "data-testid": "signin" },
    h("h1", {}, "社区社会组织培育与公益创投平台"),
    h("p", { class: "muted" }, "区民政局、街道、社会组织、评估机构与评审专家的工作平台"));
  if (config.mode === "development") {
    card.append(h("h2", {}, "开发环境登录"), h("p", { class: "muted" }, "选择一个开发账号（仅开发环境提供，生产环境使用统一身份认证）："));
    for (const account of config.accounts) {
      card.append(h("button", {
        type: "button", class: "account", "data-subject": account.subject,
        onclick: async () => {
          status.replaceChildren(h("span", { class: "muted" }, "登录中…"));
          try {
            session.save(await devToken(account.subject), account);
            location.hash = account.roles.includes("city_admin") ? "#/city" : "#/dashboard";
          } catch (error) {
            status.replaceChildren(errorBox(error));
          }
        },
      }, h("strong", {}, account.name), h("span", { class: "muted" },
        ` ${account.district || "全市"} · ${account.roles.map((r) => ROLE[r] || r).join("、")} · ${account.subject}`)));
    }
  } else {
    card.append(h("a", { class: "button", href: "/auth/login" }, "使用统一身份认证登录"));
  }
  card.append(status, h("p", {}, h("a", { href: "./notices.html" }, "查看立项公示（无需登录）")));
  return h("div", { class: "center" }, card);
}

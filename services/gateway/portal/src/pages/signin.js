// Sign-in. Development: the listed development accounts, a token from POST /auth/dev/token.
// OIDC: the city's identity provider (authorization code + PKCE, served by the platform at /auth/login).
import { authConfig, devToken, homeFor, session, signIn } from "../api.js";
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
            const signedIn = await signIn(await devToken(account.subject), account);
            location.hash = homeFor(signedIn.roles);
          } catch (error) {
            status.replaceChildren(errorBox(error));
          }
        },
      }, h("strong", {}, account.name), h("span", { class: "muted" },
        ` ${account.district || "全市"} · ${account.roles.map((r) => ROLE[r] || r).join("、")} · ${account.subject}`)));
    }
    // Any development token (`civic token --district 230102 --role org_member --org <id>`), e.g. an
    // organization's member, whose token names its organization.
    const pasted = h("textarea", { name: "token", rows: 3, placeholder: "粘贴开发令牌（civic token …）" });
    card.append(h("form", { class: "paste", "data-testid": "paste-token", onsubmit: async (event) => {
      event.preventDefault();
      const account = await signIn(pasted.value.trim());
      if (!account.subject) { session.clear(); status.replaceChildren(errorBox(new Error("这不是一个令牌"))); return; }
      location.hash = homeFor(account.roles);
    } }, h("h3", {}, "使用开发令牌登录"), pasted, h("button", { type: "submit" }, "登录")));
  } else {
    const login = `${config.loginUrl || "/auth/login"}?return_to=${encodeURIComponent(location.pathname)}`;
    card.append(h("a", { class: "button", href: login, "data-testid": "oidc-login" }, "使用统一身份认证登录"));
  }
  card.append(status, h("p", {}, h("a", { href: "./notices.html" }, "查看立项公示（无需登录）")));
  return h("div", { class: "center" }, card);
}

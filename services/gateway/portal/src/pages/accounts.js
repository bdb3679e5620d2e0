// The bureau's people: the accounts the platform maps identity-provider subjects to (district, roles,
// organization, agency). A bureau admin adds, changes and deactivates its district's; the panel is picked
// from its reviewers on the round's review screen.
import { gql } from "../api.js";
import { ROLE } from "../labels.js";
import { form, h, pagedTable } from "../ui.js";

const ACCOUNTS = `query Accounts($first: Int, $after: String) { accounts(first: $first, after: $after) {
  totalCount pageInfo { hasNextPage endCursor } edges { node { id subject name roles subdistrict organizationId
  agencyId active } } } }`;
const CREATE = `mutation Create($input: CreateAccountInput!) { createAccount(input: $input) { id } }`;
const DEACTIVATE = `mutation Deactivate($id: ID!) { deactivateAccount(id: $id) { id active } }`;

// The roles a bureau gives (city_admin is the city's to give).
const ROLES = ["BUREAU_ADMIN", "SUBDISTRICT_OFFICER", "ORG_MEMBER", "EVALUATOR", "REVIEWER"];
const roleName = (role) => ROLE[role.toLowerCase()] || role;

export async function accountsPage(root) {
  const table = pagedTable({ testid: "accounts", load: async (first, after) => (await gql(ACCOUNTS, { first, after })).accounts,
    columns: [
      { label: "登录标识（sub）", key: "subject" },
      { label: "姓名", key: "name" },
      { label: "角色", cell: (a) => a.roles.map(roleName).join("、") },
      { label: "街道 / 组织 / 机构", cell: (a) => a.subdistrict || a.organizationId || a.agencyId || "—" },
      { label: "状态", cell: (a) => (a.active ? "有效" : "已停用") },
      { label: "", cell: (a) => a.active && h("button", { type: "button", onclick: async () => {
          await gql(DEACTIVATE, { id: a.id });
          table.reload();
        } }, "停用") },
    ] });
  const create = form({
    title: "新增账号", testid: "account-form", submitLabel: "新增", savedText: "已新增",
    fields: [
      { name: "subject", label: "统一身份认证的登录标识（sub）" },
      { name: "name", label: "姓名" },
      ...ROLES.map((role) => ({ name: role, label: roleName(role), type: "checkbox", value: role === "REVIEWER" })),
      { name: "subdistrict", label: "街道（街道干部）" },
      { name: "organizationId", label: "社会组织 ID（社会组织成员）" },
      { name: "agencyId", label: "评估机构 ID（评估机构人员）" },
    ],
    submit: (v) => gql(CREATE, { input: { subject: v.subject, name: v.name, roles: ROLES.filter((role) => v[role]),
      subdistrict: v.subdistrict, organizationId: v.organizationId, agencyId: v.agencyId } }),
    done: () => table.reload(),
  });
  root.append(h("h2", {}, "账号管理"),
    h("p", { class: "muted" }, "登录由市统一身份认证完成；平台按登录标识找到这里的账号，决定其所属区县、角色与组织。停用后即时失效（至多一个缓存周期）。"),
    create, table);
  return null;
}

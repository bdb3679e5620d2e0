// GraphiQL from pinned npm packages, bundled by Vite: no CDN. The token of a portal sign-in (same
// origin, sessionStorage) is sent along; otherwise add an Authorization header in the headers tab.
import { createGraphiQLFetcher } from "@graphiql/toolkit";
import { GraphiQL } from "graphiql";
import "graphiql/style.css";
import { createElement } from "react";
import { createRoot } from "react-dom/client";

const token = sessionStorage.getItem("civic.token");
const wsUrl = `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/graphql`;
const fetcher = createGraphiQLFetcher({
  url: "/graphql",
  subscriptionUrl: wsUrl,
  headers: token ? { Authorization: `Bearer ${token}` } : {},
  wsConnectionParams: token ? { Authorization: `Bearer ${token}` } : {},
});
const defaultQuery = `# 公益创投平台 GraphQL 接口调试。无需登录即可查询立项公示；其他查询请先在门户登录，
# 或在 Headers 中加入 {"Authorization": "Bearer <令牌>"}。
query Notices {
  publicNotices(district: "230102") { title requested noticeEndsAt openForObjections }
}
`;
createRoot(document.getElementById("graphiql")).render(
  createElement(GraphiQL, { fetcher, defaultQuery, defaultEditorToolsVisibility: true }),
);

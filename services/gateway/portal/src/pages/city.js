// The city overview for city admins: one row and one chart per district (cityOverview).
import * as echarts from "echarts";
import { claims, gql } from "../api.js";
import { errorBox, fmt, h, listTable } from "../ui.js";

const CITY = `query City($city: String!) { cityOverview(cityCode: $city) { districtCode districtName organizations
  projects committed disbursed recovered beneficiaries personTimes openRecoveryOrders } }`;

export async function cityPage(root, account) {
  const city = claims().city || account.district?.slice(0, 4);
  root.append(h("h2", {}, `全市概览 · ${city}`), h("div", { class: "muted" }, "加载中…"));
  let rows;
  try {
    rows = (await gql(CITY, { city })).cityOverview;
  } catch (error) {
    root.replaceChildren(errorBox(error));
    return null;
  }
  root.replaceChildren(h("h2", {}, `全市概览 · ${city} · ${rows.length} 个区`), listTable({
    testid: "city-table", rows, columns: [
      { label: "区划代码", key: "districtCode" }, { label: "区", key: "districtName" },
      { label: "社会组织", key: "organizations", fmt: fmt.int }, { label: "项目", key: "projects", fmt: fmt.int },
      { label: "已资助", key: "committed", fmt: fmt.money }, { label: "已拨付", key: "disbursed", fmt: fmt.money },
      { label: "已追回", key: "recovered", fmt: fmt.money }, { label: "受益人群", key: "beneficiaries", fmt: fmt.int },
      { label: "服务人次", key: "personTimes", fmt: fmt.int }, { label: "未结追回令", key: "openRecoveryOrders", fmt: fmt.int }],
  }));
  const grid = h("section", { class: "charts" });
  root.append(grid);
  const charts = rows.map((row) => {
    const el = h("div", { class: "chart small" });
    grid.append(h("div", { class: "card", "data-testid": "district-chart" }, h("h3", {}, `${row.districtName}（${row.districtCode}）`), el));
    const instance = echarts.init(el);
    instance.setOption({
      animation: false, tooltip: {}, xAxis: { type: "category", data: ["已资助", "已拨付", "已追回"] }, yAxis: { type: "value" },
      series: [{ type: "bar", label: { show: true, position: "top" }, data: [row.committed, row.disbursed, row.recovered].map(Number) }],
    });
    return instance;
  });
  return () => charts.forEach((c) => c.dispose());
}

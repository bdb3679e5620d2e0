// The district's dashboard: the round's funnel, money, delivery by subdistrict, and the registry.
import * as echarts from "echarts";
import { gql } from "../api.js";
import { STAGE } from "../labels.js";
import { errorBox, fmt, h } from "../ui.js";

export const DASHBOARD = `query Dashboard {
  registryStats { organizations registered filed serviceStations compliantServiceStations
    byIncubationStage { key count }
    partyOrganizations { independent joint total registeredOrganizations registeredCovered coveragePercent } }
  incubator: organizations(filter: {inIncubator: true}, first: 1) { totalCount }
  incubatorRegistered: organizations(filter: {inIncubator: true, registration: REGISTERED}, first: 1) { totalCount }
  incubatorFiled: organizations(filter: {inIncubator: true, registration: FILED}, first: 1) { totalCount }
  fundingRounds(first: 20) { edges { node { id name year budget phase committed disbursed recovered
    beneficiaries personTimes trail { needs entries selected awarded }
    stats { projects bySubdistrict { key beneficiaries personTimes } } } } }
}`;

function figure(label, value, testid) {
  return h("div", { class: "figure", "data-testid": testid }, h("div", { class: "value" }, value), h("div", { class: "label" }, label));
}

function chart(el, option) {
  const instance = echarts.init(el, null, { renderer: "canvas" });
  instance.setOption({ animation: false, textStyle: { fontFamily: "inherit" }, ...option });
  return instance;
}

export async function dashboardPage(root, account) {
  root.append(h("div", { class: "muted" }, "加载中…"));
  let data;
  try {
    data = await gql(DASHBOARD);
  } catch (error) {
    root.replaceChildren(errorBox(error));
    return null;
  }
  const rounds = data.fundingRounds.edges.map((e) => e.node);
  // The round the clerk works on (chosen on the round page or here), else the first still running.
  const chosen = sessionStorage.getItem("civic.round");
  const rnd = rounds.find((r) => r.id === chosen) || rounds.find((r) => r.phase !== "CLOSED") || rounds[0];
  const reg = data.registryStats;
  const party = reg.partyOrganizations;
  const charts = [];
  const chooser = h("select", { "data-testid": "dashboard-round", onchange: (e) => {
    sessionStorage.setItem("civic.round", e.target.value); window.dispatchEvent(new HashChangeEvent("hashchange")); } },
  rounds.map((r) => h("option", { value: r.id, selected: r === rnd }, `${r.name}（${r.year}）`)));
  root.replaceChildren(h("div", { class: "round-head" }, h("h2", {}, `${account.district || ""} 数据看板`), rounds.length ? chooser : ""));
  if (rnd) {
    root.append(h("section", { class: "figures" },
      figure("需求", fmt.int(rnd.trail.needs), "fig-needs"),
      figure("项目库条目", fmt.int(rnd.trail.entries), "fig-entries"),
      figure("立项项目", fmt.int(rnd.trail.selected), "fig-selected"),
      figure("资助项目", fmt.int(rnd.trail.awarded), "fig-projects"),
      figure("受益人群", fmt.int(rnd.beneficiaries), "fig-beneficiaries"),
      figure("服务人次", fmt.int(rnd.personTimes), "fig-person-times")));
  }
  root.append(h("section", { class: "figures" },
    figure("孵化园社会组织", fmt.int(data.incubator.totalCount), "fig-incubator"),
    figure("登记注册 / 备案", `${fmt.int(reg.registered)} / ${fmt.int(reg.filed)}`, "fig-registered-filed"),
    figure("社区服务站", fmt.int(reg.serviceStations), "fig-stations"),
    figure("五有达标服务站", fmt.int(reg.compliantServiceStations), "fig-compliant"),
    figure("党组织", fmt.int(party.total), "fig-party"),
    figure("党组织覆盖率", `${party.coveragePercent}%`, "fig-party-coverage")));
  const grid = h("section", { class: "charts" });
  root.append(grid);
  const box = (title) => { const el = h("div", { class: "chart" }); grid.append(h("div", { class: "card" }, h("h3", {}, title), el)); return el; };
  if (rnd) {
    charts.push(chart(box("项目漏斗：需求 → 项目库 → 立项 → 资助"), {
      tooltip: {},
      series: [{ type: "funnel", sort: "descending", label: { formatter: "{b} {c}" }, data: [
        { name: "需求", value: rnd.trail.needs }, { name: "项目库", value: rnd.trail.entries },
        { name: "立项", value: rnd.trail.selected }, { name: "资助", value: rnd.trail.awarded }] }],
    }));
    charts.push(chart(box("专项资金（元）"), {
      tooltip: {}, xAxis: { type: "category", data: ["预算", "已资助", "已拨付", "已追回"] }, yAxis: { type: "value" },
      series: [{ type: "bar", label: { show: true, position: "top" },
        data: [rnd.budget, rnd.committed, rnd.disbursed, rnd.recovered].map(Number) }],
    }));
    const subs = rnd.stats.bySubdistrict.filter((r) => r.beneficiaries || r.personTimes);
    charts.push(chart(box("各街道受益人群与服务人次"), {
      tooltip: { trigger: "axis" }, legend: { data: ["受益人群", "服务人次"] }, grid: { left: 60, bottom: 70 },
      xAxis: { type: "category", data: subs.map((r) => r.key), axisLabel: { rotate: 30 } },
      yAxis: [{ type: "value", name: "人" }, { type: "value", name: "人次" }],
      series: [{ name: "受益人群", type: "bar", data: subs.map((r) => r.beneficiaries) },
        { name: "服务人次", type: "bar", yAxisIndex: 1, data: subs.map((r) => r.personTimes) }],
    }));
  }
  charts.push(chart(box("孵化园阶段"), {
    tooltip: {}, series: [{ type: "pie", radius: ["35%", "65%"], label: { formatter: "{b} {c}" },
      data: reg.byIncubationStage.map((r) => ({ name: STAGE[r.key] || r.key, value: r.count })) }],
  }));
  charts.push(chart(box("登记与备案、党组织覆盖、服务站达标"), {
    tooltip: {}, legend: {}, xAxis: { type: "category", data: ["社会组织", "党组织", "服务站"] }, yAxis: { type: "value" },
    series: [
      { name: "登记注册/独立党组织/达标", type: "bar", stack: "a", data: [reg.registered, party.independent, reg.compliantServiceStations] },
      { name: "备案/联合党组织/未达标", type: "bar", stack: "a", data: [reg.filed, party.joint, reg.serviceStations - reg.compliantServiceStations] }],
  }));
  const resize = () => charts.forEach((c) => c.resize());
  window.addEventListener("resize", resize);
  return () => { window.removeEventListener("resize", resize); charts.forEach((c) => c.dispose()); };
}

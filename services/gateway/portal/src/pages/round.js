// The round's work, one screen per step. Each step: what is there (a paged table) and the forms that
// carry it on, each a mutation of the public API whose refusals show beside the field they name.
import { gql } from "../api.js";
import { CATEGORY, EVAL_PHASE, INSPECTION, MEMBER, METHOD, PHASE, SEVERITY, label, options } from "../labels.js";
import { errorBox, fmt, form, h, lines, listTable, pagedTable } from "../ui.js";
import { serviceRecordsUpload } from "./csv_upload.js";

const ROUNDS = `query Rounds { fundingRounds(first: 50) { edges { node { id name year phase budget noticeEndsAt
  criteria { name weight } } } } }`;
// The queries stay under the gateway's cost limit: lists of lists only in small pages (`all` walks the pages).
const PAGE = "totalCount pageInfo { hasNextPage endCursor }";
const PROJECTS = `query Projects($round: ID, $first: Int, $after: String) { projects(roundId: $round, first: $first, after: $after) {
  ${PAGE} edges { node { id title category status requested grant disbursed organizationName subdistrict community beneficiaries personTimes } } } }`;
const TRANCHES = `query Tranches($round: ID, $first: Int, $after: String) { projects(roundId: $round, first: $first, after: $after) {
  ${PAGE} edges { node { id title tranches { id sequence amount dueOn status disbursedAt } } } } }`;
const OBJECTIONS = `query Objections($round: ID, $first: Int, $after: String) { projects(roundId: $round, first: $first, after: $after) {
  ${PAGE} edges { node { id title objections { id reason status resolution lodgedAt } } } } }`;
const EVALUATIONS = `query Evaluations($round: ID, $first: Int, $after: String) { evaluations(filter: {roundId: $round}, first: $first, after: $after) {
  ${PAGE} edges { node { id title organizationName currentPhase rating phases { phase status score } } } } }`;
const INSPECTIONS = `query Inspections($round: ID, $first: Int, $after: String) { evaluations(filter: {roundId: $round}, first: $first, after: $after) {
  ${PAGE} edges { node { id title inspections { id phase method inspectedOn inspector sample { size population } } } } } }`;
const FOLLOW_UPS = `query FollowUps($round: ID, $first: Int, $after: String) { evaluations(filter: {roundId: $round}, first: $first, after: $after) {
  ${PAGE} edges { node { id title inspections { id followUps { id position beneficiary reached satisfied } } } } } }`;
const FINDINGS = `query Findings($round: ID, $first: Int, $after: String) { evaluations(filter: {roundId: $round}, first: $first, after: $after) {
  ${PAGE} edges { node { id title findings { id phase severity description amountAtIssue resolved
  rectification { id deadline status completionNote } } } } } }`;

/** Every node of a connection, page by page (`size` keeps a page under the cost limit). */
const all = async (query, variables, pickConnection, size = 50) => {
  const nodes = [];
  let after = null;
  for (;;) {
    const connection = pickConnection(await gql(query, { ...variables, first: size, after }));
    nodes.push(...connection.edges.map((e) => e.node));
    if (!connection.pageInfo.hasNextPage) return nodes;
    after = connection.pageInfo.endCursor;
  }
};
const money = (v) => v;
const pick = (rows, text) => rows.map((r) => [r.id, text(r)]);
// Places are picked from the district's gazetteer (kept by the bureau), never typed: a select of its entries.
const GAZETTEER = `query Gazetteer { gazetteer { id kind name code subdistrictId } }`;
const places = async () => {
  const entries = (await gql(GAZETTEER)).gazetteer;
  const of = (kind) => [["", entries.length ? "请选择" : "本区名录暂无条目"], ...pick(entries.filter((e) => e.kind === kind), (e) => e.name)];
  return { subdistricts: of("SUBDISTRICT"), communities: of("COMMUNITY") };
};

/** Each step of the round: title, then render(ctx) → elements. ctx: {round, refresh}. */
const STEPS = [
  { key: "needs", title: "需求征集", render: async ({ round }) => { const gazetteer = await places(); return [
    pagedTable({ testid: "needs", load: async (first, after) => (await gql(`query($id: ID!, $first: Int, $after: String) { fundingRound(id: $id) {
      needs(first: $first, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { node { id subdistrict community category method description libraryEntry { title } } } } } }`, { id: round.id, first, after })).fundingRound.needs,
    columns: [{ label: "编号", key: "id", fmt: (v) => v.slice(0, 8) }, { label: "街道", key: "subdistrict" }, { label: "社区", key: "community" },
      { label: "类别", key: "category", fmt: label(CATEGORY) }, { label: "方式", key: "method", fmt: label(METHOD) },
      { label: "描述", key: "description" }, { label: "项目库条目", cell: (r) => r.libraryEntry?.title }] }),
    form({ title: "登记需求", testid: "record-need", fields: [
      { name: "subdistrict", label: "街道", type: "select", options: gazetteer.subdistricts },
      { name: "community", label: "社区", type: "select", options: gazetteer.communities },
      { name: "category", label: "类别", type: "select", options: options(CATEGORY) },
      { name: "method", label: "征集方式", type: "select", options: options(METHOD) },
      { name: "description", label: "需求描述", type: "textarea" }],
    submit: (v) => gql(`mutation($input: RecordNeedInput!) { recordNeed(input: $input) { id } }`, { input: { roundId: round.id, ...v } }) }),
  ]; } },
  { key: "library", title: "合并入项目库", render: ({ round }) => [
    pagedTable({ testid: "entries", load: async (first, after) => (await gql(`query($id: ID!, $first: Int, $after: String) { fundingRound(id: $id) {
      libraryEntries(first: $first, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { node { id title category requested selected score needs { id } } } } } }`, { id: round.id, first, after })).fundingRound.libraryEntries,
    columns: [{ label: "编号", key: "id", fmt: (v) => v.slice(0, 8) }, { label: "条目", key: "title" }, { label: "类别", key: "category", fmt: label(CATEGORY) },
      { label: "申请金额", key: "requested", fmt: fmt.money }, { label: "来源需求", cell: (r) => r.needs.length }, { label: "评分", key: "score", fmt: (s) => (s == null ? "—" : s.toFixed(2)) },
      { label: "立项", key: "selected", fmt: fmt.bool }] }),
    form({ title: "合并需求为项目库条目", testid: "merge-needs", fields: [
      { name: "needIds", label: "需求编号（每行一个完整编号）", type: "textarea" }, { name: "title", label: "条目名称" },
      { name: "requested", label: "申请金额（元）", type: "money" }, { name: "entryId", label: "并入已有条目（可选，条目编号）" },
      { name: "reason", label: "合并理由" }],
    submit: (v) => gql(`mutation($input: MergeNeedsInput!) { mergeNeeds(input: $input) { id } }`, { input: { ...v, needIds: lines(v.needIds) } }) }),
    form({ title: "拆出需求", testid: "unmerge-need", fields: [{ name: "needId", label: "需求编号" }, { name: "reason", label: "理由" }],
      submit: (v) => gql(`mutation($needId: ID!, $reason: String!) { unmergeNeed(needId: $needId, reason: $reason) { id } }`, v) }),
  ] },
  { key: "review", title: "评审与利益冲突", render: async ({ round }) => {
    // Panel members are picked from the district's reviewer accounts (seated by their subject).
    const reviewers = await gql(`{ accounts(role: REVIEWER, first: 100) { edges { node { subject name } } } }`)
      .then((d) => d.accounts.edges.map((e) => e.node), () => []);
    const data = await gql(`query($id: ID!) { fundingRound(id: $id) { panel { id name kind sub }
      libraryEntries(first: 100) { edges { node { id title score reviews { id } conflicts { member { name } reason } } } } } }`, { id: round.id });
    const entries = data.fundingRound.libraryEntries.edges.map((e) => e.node);
    return [
      h("h3", {}, "评审小组"),
      listTable({ testid: "panel", rows: data.fundingRound.panel, columns: [{ label: "姓名", key: "name" }, { label: "身份", key: "kind", fmt: label(MEMBER) }, { label: "登录账号", key: "sub" }] }),
      form({ title: "增加评审成员", testid: "add-panel-member", fields: [
        { name: "sub", label: "评审账号", type: "select", options: reviewers.map((r) => [r.subject, `${r.name}（${r.subject}）`]) },
        { name: "kind", label: "身份", type: "select", options: options(MEMBER) }],
      submit: (v) => gql(`mutation($input: PanelMemberInput!) { addPanelMember(input: $input) { id } }`,
        { input: { roundId: round.id, sub: v.sub, kind: v.kind, name: reviewers.find((r) => r.subject === v.sub)?.name ?? "" } }) }),
      h("h3", {}, "评分与利益冲突"),
      listTable({ testid: "scores", rows: entries, columns: [{ label: "条目", key: "title" }, { label: "评分", key: "score", fmt: (s) => (s == null ? "—" : s.toFixed(2)) },
        { label: "评审数", cell: (r) => r.reviews.length }, { label: "利益冲突", cell: (r) => r.conflicts.map((c) => `${c.member.name}：${c.reason}`).join("；") || "—" }] }),
      form({ title: "评分（评审专家）", testid: "score-entry", fields: [
        { name: "entryId", label: "条目", type: "select", options: pick(entries, (e) => e.title) },
        { name: "grades", label: `各项得分（每行“指标:分数”；指标：${round.criteria.map((c) => c.name).join("、")}）`, type: "textarea" },
        { name: "comment", label: "意见" }],
      submit: (v) => gql(`mutation($input: ScoreEntryInput!) { scoreEntry(input: $input) { id score } }`, { input: { entryId: v.entryId, comment: v.comment,
        grades: lines(v.grades).map((l) => { const [criterion, grade] = l.split(/[:：]/); return { criterion: criterion.trim(), grade: Number(grade) }; }) } }) }),
      form({ title: "申报利益冲突（评审专家）", testid: "declare-conflict", fields: [
        { name: "entryId", label: "条目", type: "select", options: pick(entries, (e) => e.title) }, { name: "reason", label: "冲突说明" }],
      submit: (v) => gql(`mutation($entryId: ID!, $reason: String!) { declareConflict(entryId: $entryId, reason: $reason) { id } }`, v) }),
    ];
  } },
  { key: "selection", title: "立项", render: ({ round, refresh }) => [
    pagedTable({ testid: "selected", load: async (first, after) => (await gql(`query($id: ID!, $first: Int, $after: String) { fundingRound(id: $id) {
      libraryEntries(first: $first, after: $after, selected: true) { totalCount pageInfo { hasNextPage endCursor } edges { node { id title category requested score } } } } }`, { id: round.id, first, after })).fundingRound.libraryEntries,
    columns: [{ label: "条目", key: "title" }, { label: "类别", key: "category", fmt: label(CATEGORY) }, { label: "申请金额", key: "requested", fmt: fmt.money }, { label: "评分", key: "score", fmt: (s) => s?.toFixed(2) ?? "—" }] }),
    form({ title: "按评分与预算立项", testid: "select-projects", fields: [], submitLabel: "立项",
      submit: () => gql(`mutation($id: ID!) { selectProjects(roundId: $id) { id phase } }`, { id: round.id }), done: refresh }),
    form({ title: "推进阶段", testid: "advance-round", fields: [{ name: "to", label: "目标阶段", type: "select", options: options(PHASE) }],
      submit: (v) => gql(`mutation($id: ID!, $to: Phase!) { advanceRound(id: $id, to: $to) { id phase } }`, { id: round.id, to: v.to }), done: refresh }),
  ] },
  { key: "notice", title: "立项公示与异议", render: async ({ round, refresh }) => {
    const projects = await all(OBJECTIONS, { round: round.id }, (d) => d.projects);
    const objections = projects.flatMap((p) => p.objections.map((o) => ({ ...o, project: p.title })));
    return [
      h("p", {}, `公示期：${fmt.date(round.noticeEndsAt) === "—" ? "未开始" : `至 ${fmt.date(round.noticeEndsAt)}`}`, " · ", h("a", { href: "./notices.html", target: "_blank" }, "公众公示页面")),
      form({ title: "发布立项公示", testid: "publish-notice", fields: [], submitLabel: "发布公示",
        submit: () => gql(`mutation($id: ID!) { publishNotice(roundId: $id) { id phase } }`, { id: round.id }), done: refresh }),
      listTable({ testid: "objections", rows: objections, columns: [{ label: "项目", key: "project" }, { label: "异议", key: "reason" }, { label: "状态", key: "status" }, { label: "处理", key: "resolution" }, { label: "提出", key: "lodgedAt", fmt: fmt.date }] }),
      form({ title: "处理异议", testid: "resolve-objection", fields: [
        { name: "id", label: "异议", type: "select", options: pick(objections, (o) => `${o.project}：${o.reason}`) },
        { name: "outcome", label: "结论", type: "select", options: [["DISMISSED", "不成立"], ["UPHELD", "成立（撤销立项）"]] }, { name: "resolution", label: "处理意见" }],
      submit: (v) => gql(`mutation($id: ID!, $outcome: ObjectionOutcome!, $resolution: String!) { resolveObjection(id: $id, outcome: $outcome, resolution: $resolution) { id } }`, v) }),
      form({ title: "结束公示期", testid: "close-notice", fields: [], submitLabel: "结束公示",
        submit: () => gql(`mutation($id: ID!) { closeNoticePeriod(roundId: $id) { id phase } }`, { id: round.id }), done: refresh }),
    ];
  } },
  { key: "award", title: "资助与分期", render: async ({ round }) => {
    const projects = await all(PROJECTS, { round: round.id }, (d) => d.projects);
    const orgs = (await gql(`query { organizations(first: 100, filter: {status: ACTIVE}) { edges { node { id name } } } }`)).organizations.edges.map((e) => e.node);
    return [
      projectTable(round),
      form({ title: "资助项目", testid: "award-project", fields: [
        { name: "projectId", label: "项目", type: "select", options: pick(projects.filter((p) => p.status === "SELECTED"), (p) => p.title) },
        { name: "organizationId", label: "承接社会组织", type: "select", options: pick(orgs, (o) => o.name) },
        { name: "grant", label: "资助金额（元）", type: "money" },
        { name: "tranches", label: "分期（每行“金额,拨付日期”，如 50000.00,2026-03-01）", type: "textarea" }],
      submit: (v) => gql(`mutation($input: AwardProjectInput!) { awardProject(input: $input) { id } }`, { input: { projectId: v.projectId, organizationId: v.organizationId, grant: money(v.grant),
        tranches: lines(v.tranches).map((l) => { const [amount, dueOn] = l.split(/[,，]/).map((s) => s.trim()); return { amount, dueOn }; }) } }) }),
      form({ title: "增加分期", testid: "schedule-tranche", fields: [
        { name: "projectId", label: "项目", type: "select", options: pick(projects.filter((p) => p.status === "AWARDED"), (p) => p.title) },
        { name: "amount", label: "金额（元）", type: "money" }, { name: "dueOn", label: "拨付日期", type: "date" }],
      submit: (v) => gql(`mutation($input: ScheduleTrancheInput!) { scheduleTranche(input: $input) { id } }`, { input: v }) }),
    ];
  } },
  { key: "disbursement", title: "资金拨付", render: async ({ round }) => {
    const projects = await all(TRANCHES, { round: round.id }, (d) => d.projects);
    const tranches = projects.flatMap((p) => p.tranches.map((t) => ({ ...t, project: p.title })));
    return [
      listTable({ testid: "tranches", rows: tranches, columns: [{ label: "项目", key: "project" }, { label: "期次", key: "sequence" }, { label: "金额", key: "amount", fmt: fmt.money },
        { label: "计划日期", key: "dueOn" }, { label: "状态", key: "status", fmt: (s) => (s === "DISBURSED" ? "已拨付" : "计划") }, { label: "拨付时间", key: "disbursedAt", fmt: fmt.date }] }),
      form({ title: "拨付一期资金", testid: "disburse-tranche", fields: [
        { name: "trancheId", label: "分期", type: "select", options: pick(tranches.filter((t) => t.status === "PLANNED"), (t) => `${t.project} 第${t.sequence}期 ${fmt.money(t.amount)}`) }],
      submit: (v) => gql(`mutation($trancheId: ID!) { disburseTranche(trancheId: $trancheId) { id status } }`, v) }),
    ];
  } },
  { key: "service", title: "服务记录", render: async ({ round }) => {
    const projects = (await all(PROJECTS, { round: round.id }, (d) => d.projects)).filter((p) => p.status === "AWARDED");
    const gazetteer = await places();
    return [
      projectTable(round, "service-projects"),
      form({ title: "登记一条服务记录", testid: "service-record", fields: [
        { name: "projectId", label: "项目", type: "select", options: pick(projects, (p) => p.title) },
        { name: "community", label: "社区", type: "select", options: gazetteer.communities }, { name: "serviceDate", label: "服务日期", type: "date" },
        { name: "beneficiary", label: "服务对象（编号）" }, { name: "personTimes", label: "服务人次", type: "int" }],
      submit: (v) => gql(`mutation($input: ServiceRecordInput!) { reportServiceRecord(input: $input) { id } }`, { input: v }) }),
      serviceRecordsUpload(projects),
    ];
  } },
  { key: "expenses", title: "支出", render: async ({ round }) => {
    const projects = (await all(PROJECTS, { round: round.id }, (d) => d.projects)).filter((p) => p.status === "AWARDED");
    const table = h("div");
    const show = (id) => table.replaceChildren(pagedTable({ testid: "expenses", load: async (first, after) => (await gql(`query($id: ID!, $first: Int, $after: String) { project(id: $id) {
      expenses(first: $first, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { node { id amount spentOn description reportedAt } } } } }`, { id, first, after })).project.expenses,
    columns: [{ label: "金额", key: "amount", fmt: fmt.money }, { label: "支出日期", key: "spentOn" }, { label: "用途", key: "description" }, { label: "登记", key: "reportedAt", fmt: fmt.date }] }));
    if (projects[0]) show(projects[0].id);
    const f = form({ title: "登记支出", testid: "report-expense", fields: [
      { name: "projectId", label: "项目", type: "select", options: pick(projects, (p) => p.title) },
      { name: "amount", label: "金额（元）", type: "money" }, { name: "spentOn", label: "支出日期", type: "date" }, { name: "description", label: "用途" }],
    submit: (v) => gql(`mutation($input: ExpenseInput!) { reportExpense(input: $input) { id } }`, { input: v }), done: (_, v) => show(v.projectId) });
    f.querySelector("select[name=projectId]")?.addEventListener("change", (e) => show(e.target.value));
    return [f, table];
  } },
  { key: "evaluation", title: "评估三阶段", render: async ({ round }) => {
    const evaluations = await all(EVALUATIONS, { round: round.id }, (d) => d.evaluations);
    return [
      evaluationTable(round),
      form({ title: "开启评估阶段", testid: "open-phase", fields: [
        { name: "evaluationId", label: "评估", type: "select", options: pick(evaluations, (e) => e.title) },
        { name: "phase", label: "阶段", type: "select", options: options(EVAL_PHASE) },
        { name: "criteria", label: "评估指标（每行“指标:满分”）", type: "textarea", value: "项目管理:30\n服务成效:40\n资金使用:30" }],
      submit: (v) => gql(`mutation($e: ID!, $p: EvaluationPhaseKind!, $c: [EvaluationCriterionInput!]!) { openEvaluationPhase(evaluationId: $e, phase: $p, criteria: $c) { id } }`,
        { e: v.evaluationId, p: v.phase, c: lines(v.criteria).map((l) => { const [name, max] = l.split(/[:：]/); return { name: name.trim(), maxPoints: Number(max) }; }) }) }),
      form({ title: "完成评估阶段", testid: "complete-phase", fields: [
        { name: "evaluationId", label: "评估", type: "select", options: pick(evaluations, (e) => e.title) },
        { name: "phase", label: "阶段", type: "select", options: options(EVAL_PHASE) },
        { name: "scores", label: "得分（每行“指标:分数”）", type: "textarea" }, { name: "summary", label: "评估结论" }],
      submit: (v) => gql(`mutation($e: ID!, $p: EvaluationPhaseKind!, $s: [EvaluationScoreInput!]!, $sum: String) { completeEvaluationPhase(evaluationId: $e, phase: $p, scores: $s, summary: $sum) { id score } }`,
        { e: v.evaluationId, p: v.phase, sum: v.summary, s: lines(v.scores).map((l) => { const [criterion, points] = l.split(/[:：]/); return { criterion: criterion.trim(), points: Number(points) }; }) }) }),
    ];
  } },
  { key: "inspections", title: "检查与回访", render: async ({ round }) => {
    const evaluations = await all(INSPECTIONS, { round: round.id }, (d) => d.evaluations, 20);
    const inspections = evaluations.flatMap((e) => e.inspections.map((i) => ({ ...i, title: e.title })));
    const followUps = (await all(FOLLOW_UPS, { round: round.id }, (d) => d.evaluations, 10))
      .flatMap((e) => e.inspections.flatMap((i) => i.followUps.map((f) => ({ ...f, title: e.title }))));
    return [
      listTable({ testid: "inspections", rows: inspections, columns: [{ label: "项目", key: "title" }, { label: "阶段", key: "phase", fmt: label(EVAL_PHASE) },
        { label: "方式", key: "method", fmt: label(INSPECTION) }, { label: "日期", key: "inspectedOn" }, { label: "检查人", key: "inspector" },
        { label: "回访抽样", cell: (r) => (r.sample ? `${r.sample.size}/${r.sample.population}` : "—") }] }),
      form({ title: "登记检查", testid: "record-inspection", fields: [
        { name: "evaluationId", label: "评估", type: "select", options: pick(evaluations, (e) => e.title) },
        { name: "phase", label: "阶段", type: "select", options: options(EVAL_PHASE) },
        { name: "method", label: "方式", type: "select", options: options(INSPECTION) },
        { name: "inspectedOn", label: "检查日期", type: "date" }, { name: "inspector", label: "检查人" }, { name: "notes", label: "记录", type: "textarea" }],
      submit: (v) => gql(`mutation($e: ID!, $p: EvaluationPhaseKind!, $input: InspectionInput!) { recordInspection(evaluationId: $e, phase: $p, input: $input) { id } }`,
        { e: v.evaluationId, p: v.phase, input: { method: v.method, inspectedOn: v.inspectedOn, inspector: v.inspector, notes: v.notes } }) }),
      form({ title: "抽取电话回访样本", testid: "draw-sample", fields: [
        { name: "inspectionId", label: "电话回访检查", type: "select", options: pick(inspections.filter((i) => i.method === "PHONE_FOLLOW_UP"), (i) => `${i.title} ${i.inspectedOn}`) },
        { name: "size", label: "样本量", type: "int" }],
      submit: (v) => gql(`mutation($i: ID!, $size: Int!) { drawFollowUpSample(inspectionId: $i, size: $size) { id } }`, { i: v.inspectionId, size: v.size }) }),
      listTable({ testid: "follow-ups", rows: followUps, columns: [{ label: "项目", key: "title" }, { label: "序号", key: "position" }, { label: "对象", key: "beneficiary" },
        { label: "接通", key: "reached", fmt: (b) => (b == null ? "—" : fmt.bool(b)) }, { label: "满意", key: "satisfied", fmt: (b) => (b == null ? "—" : fmt.bool(b)) }] }),
      form({ title: "登记回访结果", testid: "record-follow-up", fields: [
        { name: "id", label: "回访对象", type: "select", options: pick(followUps, (f) => `${f.title} #${f.position} ${f.beneficiary}`) },
        { name: "reached", label: "已接通", type: "checkbox" }, { name: "satisfied", label: "满意", type: "checkbox" }, { name: "notes", label: "备注" }],
      submit: (v) => gql(`mutation($id: ID!, $r: Boolean!, $s: Boolean, $n: String) { recordFollowUp(id: $id, reached: $r, satisfied: $s, notes: $n) { id } }`, { id: v.id, r: v.reached, s: v.reached ? v.satisfied : null, n: v.notes }) }),
    ];
  } },
  { key: "findings", title: "问题发现", render: async ({ round }) => {
    const evaluations = await all(FINDINGS, { round: round.id }, (d) => d.evaluations, 20);
    const findings = findingsOf(evaluations);
    return [
      findingTable(findings),
      form({ title: "登记问题", testid: "record-finding", fields: [
        { name: "evaluationId", label: "评估", type: "select", options: pick(evaluations, (e) => e.title) },
        { name: "phase", label: "阶段", type: "select", options: options(EVAL_PHASE) },
        { name: "severity", label: "性质", type: "select", options: options(SEVERITY) },
        { name: "description", label: "问题描述", type: "textarea" }, { name: "amountAtIssue", label: "涉及金额（元，可选）", type: "money" }],
      submit: (v) => gql(`mutation($e: ID!, $p: EvaluationPhaseKind!, $input: FindingInput!) { recordFinding(evaluationId: $e, phase: $p, input: $input) { id } }`,
        { e: v.evaluationId, p: v.phase, input: { severity: v.severity, description: v.description, amountAtIssue: v.amountAtIssue } }) }),
      form({ title: "问题销号", testid: "resolve-finding", fields: [
        { name: "id", label: "问题", type: "select", options: pick(findings.filter((f) => !f.resolved), (f) => `${f.title}：${f.description}`) }, { name: "resolution", label: "处理结果" }],
      submit: (v) => gql(`mutation($id: ID!, $r: String!) { resolveFinding(id: $id, resolution: $r) { id } }`, { id: v.id, r: v.resolution }) }),
    ];
  } },
  { key: "rectification", title: "整改", render: async ({ round }) => {
    const findings = findingsOf(await all(FINDINGS, { round: round.id }, (d) => d.evaluations, 20));
    const rectifications = findings.filter((f) => f.rectification).map((f) => ({ ...f.rectification, title: f.title, description: f.description }));
    return [
      listTable({ testid: "rectifications", rows: rectifications, columns: [{ label: "项目", key: "title" }, { label: "问题", key: "description" },
        { label: "期限", key: "deadline", fmt: fmt.date }, { label: "状态", key: "status" }, { label: "整改说明", key: "completionNote" }] }),
      form({ title: "下达整改", testid: "order-rectification", fields: [
        { name: "findingId", label: "问题", type: "select", options: pick(findings.filter((f) => !f.rectification), (f) => `${f.title}：${f.description}`) },
        { name: "deadline", label: "整改期限", type: "date" }],
      submit: (v) => gql(`mutation($f: ID!, $d: DateTime!) { orderRectification(findingId: $f, deadline: $d) { id } }`, { f: v.findingId, d: v.deadline ? `${v.deadline}T23:59:59+08:00` : null }) }),
      form({ title: "整改完成", testid: "complete-rectification", fields: [
        { name: "id", label: "整改", type: "select", options: pick(rectifications.filter((r) => r.status !== "COMPLETED"), (r) => `${r.title}：${r.description}`) }, { name: "note", label: "整改说明" }],
      submit: (v) => gql(`mutation($id: ID!, $n: String!) { completeRectification(id: $id, note: $n) { id } }`, { id: v.id, n: v.note }) }),
    ];
  } },
  { key: "recovery", title: "资金追回", render: async ({ round }) => {
    const projects = (await all(PROJECTS, { round: round.id }, (d) => d.projects)).filter((p) => p.status === "AWARDED");
    const orders = (await gql(`query { recoveryOrders(first: 100) { edges { node { id amount reason status source orderedAt project { title } } } } }`)).recoveryOrders.edges.map((e) => e.node);
    return [
      listTable({ testid: "recovery-orders", rows: orders, columns: [{ label: "项目", cell: (r) => r.project?.title }, { label: "金额", key: "amount", fmt: fmt.money },
        { label: "原因", key: "reason" }, { label: "状态", key: "status" }, { label: "来源", key: "source" }, { label: "下达", key: "orderedAt", fmt: fmt.date }] }),
      form({ title: "下达追回令", testid: "order-recovery", fields: [
        { name: "projectId", label: "项目", type: "select", options: pick(projects, (p) => p.title) },
        { name: "amount", label: "追回金额（元）", type: "money" }, { name: "reason", label: "原因" }],
      submit: (v) => gql(`mutation($input: OrderRecoveryInput!) { orderRecovery(input: $input) { id } }`, { input: v }) }),
      form({ title: "追回结清", testid: "settle-recovery", fields: [
        { name: "id", label: "追回令", type: "select", options: pick(orders.filter((o) => o.status === "OPEN"), (o) => `${o.project?.title} ${fmt.money(o.amount)}`) }],
      submit: (v) => gql(`mutation($id: ID!) { settleRecovery(id: $id) { id status } }`, v) }),
    ];
  } },
];

function projectTable(round, testid = "projects") {
  return pagedTable({ testid, load: async (first, after) => (await gql(PROJECTS, { round: round.id, first, after })).projects,
    columns: [{ label: "项目", key: "title" }, { label: "类别", key: "category", fmt: label(CATEGORY) }, { label: "状态", key: "status" },
      { label: "承接组织", key: "organizationName" }, { label: "资助", key: "grant", fmt: fmt.money }, { label: "已拨付", key: "disbursed", fmt: fmt.money },
      { label: "受益人群", key: "beneficiaries", fmt: fmt.int }, { label: "服务人次", key: "personTimes", fmt: fmt.int }] });
}

function evaluationTable(round) {
  return pagedTable({ testid: "evaluations", load: async (first, after) => (await gql(EVALUATIONS, { round: round.id, first, after })).evaluations,
    columns: [{ label: "项目", key: "title" }, { label: "承接组织", key: "organizationName" }, { label: "当前阶段", key: "currentPhase", fmt: label(EVAL_PHASE) },
      { label: "各阶段", cell: (r) => r.phases.map((p) => `${EVAL_PHASE[p.phase]}:${p.status}${p.score != null ? `(${p.score})` : ""}`).join(" ") }, { label: "评级", key: "rating" }] });
}

const findingsOf = (evaluations) => evaluations.flatMap((e) => e.findings.map((f) => ({ ...f, title: e.title })));

function findingTable(findings) {
  return listTable({ testid: "findings", rows: findings, columns: [{ label: "项目", key: "title" }, { label: "阶段", key: "phase", fmt: label(EVAL_PHASE) },
    { label: "性质", key: "severity", fmt: label(SEVERITY) }, { label: "描述", key: "description" }, { label: "涉及金额", key: "amountAtIssue", fmt: fmt.money },
    { label: "已销号", key: "resolved", fmt: fmt.bool }] });
}

export async function roundPage(root, account, [stepKey]) {
  let rounds;
  try {
    rounds = (await gql(ROUNDS)).fundingRounds.edges.map((e) => e.node);
  } catch (error) {
    root.append(errorBox(error));
    return null;
  }
  const chosen = sessionStorage.getItem("civic.round");
  const round = rounds.find((r) => r.id === chosen) || rounds.find((r) => r.phase !== "CLOSED") || rounds[0];
  const step = STEPS.find((s) => s.key === stepKey) || STEPS[0];
  const chooser = h("select", { "data-testid": "round-chooser", onchange: (e) => { sessionStorage.setItem("civic.round", e.target.value); window.dispatchEvent(new HashChangeEvent("hashchange")); } },
    rounds.map((r) => h("option", { value: r.id, selected: r === round }, `${r.name}（${r.year}，${PHASE[r.phase]}）`)));
  const steps = h("ol", { class: "steps" }, STEPS.map((s) => h("li", { class: s === step ? "active" : null }, h("a", { href: `#/round/${s.key}` }, s.title))));
  const body = h("div", { class: "step", "data-testid": `step-${step.key}` });
  root.append(h("div", { class: "round-head" }, h("h2", {}, "项目流程"), chooser, round ? h("span", { class: "badge" }, `阶段：${PHASE[round.phase]}`) : ""), steps, body);
  if (account.roles.includes("bureau_admin")) root.append(form({ title: "新建公益创投轮次", testid: "open-round", fields: [
    { name: "name", label: "名称" }, { name: "year", label: "年度", type: "int", value: String(new Date().getFullYear()) },
    { name: "budget", label: "专项资金（元）", type: "money" },
    { name: "criteria", label: "评审指标（每行“指标:权重”，权重合计 100）", type: "textarea", value: "需求契合度:40\n可行性:30\n预算合理性:30" }],
  submit: (v) => gql(`mutation($input: OpenRoundInput!) { openRound(input: $input) { id } }`, { input: { name: v.name, year: v.year, budget: v.budget,
    criteria: lines(v.criteria).map((l) => { const [name, weight] = l.split(/[:：]/); return { name: name.trim(), weight: Number(weight) }; }) } }),
  done: (result) => { sessionStorage.setItem("civic.round", result.openRound.id); window.dispatchEvent(new HashChangeEvent("hashchange")); } }));
  if (!round) { body.append(h("p", { class: "muted" }, "还没有公益创投轮次：请先新建。")); return null; }
  body.append(h("h3", {}, step.title), h("div", { class: "muted" }, "加载中…"));
  const refresh = () => window.dispatchEvent(new HashChangeEvent("hashchange"));
  try {
    body.lastChild.replaceWith(...(await step.render({ round, refresh })));
  } catch (error) {
    body.lastChild.replaceWith(errorBox(error));
  }
  return null;
}

// The API's enum values in Simplified Chinese (the API itself speaks English names).
export const CATEGORY = {
  ELDERLY_CARE: "为老服务", DISABILITY_SUPPORT: "助残服务", POVERTY_RELIEF: "济困帮扶", YOUTH: "青少年服务",
  COMMUNITY_GOVERNANCE: "社区治理", NEIGHBOR_MUTUAL_AID: "邻里互助", VOLUNTEERS: "志愿服务", SOCIAL_WORK: "社会工作",
  LEGAL_AID: "法律援助", OTHER: "其他",
};
export const METHOD = { QUESTIONNAIRE: "问卷调查", DOOR_TO_DOOR: "入户走访", FIELD_SURVEY: "实地调研" };
export const MEMBER = { EXPERT: "专家", RESIDENT_REP: "居民代表", OFFICIAL: "政府工作人员", ORG_REP: "社会组织代表" };
export const PHASE = { NEEDS_INTAKE: "需求征集", LIBRARY: "项目库", REVIEW: "评审", NOTICE: "公示", AWARDED: "已资助", CLOSED: "已结束" };
export const STAGE = { STARTUP: "初创期", GROWTH: "成长期", HUB: "枢纽期", GRADUATED: "已出壳" };
export const EVAL_PHASE = { INITIAL: "初期", MIDTERM: "中期", FINAL: "终期" };
export const INSPECTION = { DOCUMENT_REVIEW: "查阅材料", SITE_VISIT: "实地踏查", PHONE_FOLLOW_UP: "电话回访" };
export const SEVERITY = { INFO: "提示", MINOR: "一般", MAJOR: "严重", VIOLATION: "违规" };
export const ROLE = {
  bureau_admin: "民政局管理员", city_admin: "市级管理员", subdistrict_officer: "街道干部", org_member: "社会组织成员",
  evaluator: "评估机构", reviewer: "评审专家",
};
export const options = (table) => Object.entries(table);
export const label = (table) => (value) => table[value] || value || "—";

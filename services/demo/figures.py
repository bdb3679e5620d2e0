"""The figures of the source report (哈尔滨市道里区民政局, 《扶持提升能力 创新推动发展》), copied here so the
project never reads the report at run time. Names the report does not give (subdistricts' communities,
organizations, amounts per project) are illustrative; every figure the report states is below as it states it.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, replace

# --- what the report states -------------------------------------------------------------------------
CITY_CODE, CITY_NAME = "2301", "哈尔滨市"
DISTRICT_CODE, DISTRICT_NAME = "230102", "道里区"
# One more district of the city, so a city admin sees more than one row and isolation can be shown.
OTHER_DISTRICTS = (("230103", "南岗区"),)

ROUND_NAME = "道里区首届公益创投"          # 《道里区首届公益创投实施方案》
# The source's first round ran in 2017-2018; the demo runs its round this year, so dates line up with "now".
ROUND_YEAR = dt.date.today().year
BUDGET_YUAN = 2_000_000                    # 拨付专项资金200万元
NEEDS = 88                                 # 共征集到各类服务需求88个
LIBRARY_ENTRIES = 42                       # 建立了42个服务项目库
SELECTED = 17                              # 最终梳理出17个做为首届公益创投服务项目
SUBDISTRICTS_SERVED = 6                    # 服务对象覆盖6个街道办事处
COMMUNITIES_SERVED = 20                    # 20个社区
BENEFICIARIES = 13_430                     # 受益人群达到13430人
PERSON_TIMES = 498_370                     # 服务人次498370人次
INCUBATOR_ORGANIZATIONS = 28               # 已引进社会组织28个
INCUBATOR_REGISTERED = 6                   # 其中注册6个
INCUBATOR_FILED = 22                       # 备案22个
SERVICE_STATIONS = 131                     # 在131个社区成立了社区社会组织服务中心(站), 实现"五有"
PARTY_ORGANIZATIONS = 31                   # 建立党组织31个
PARTY_INDEPENDENT = 14                     # 其中独立党组织14个
PARTY_JOINT = 17                           # 联合党组织17个
PARTY_COVERAGE_PERCENT = 100.0             # 登记注册社会组织党组织覆盖率为100%
EVALUATION_AGENCY = "哈尔滨市心视界社会工作服务中心"  # 以招投标的形式引入…做为评估机构
# 为老、助残、帮扶(济困)、青少年、社区治理、邻里互助、志愿者、社工、法律援助等
CATEGORIES = ("ELDERLY_CARE", "DISABILITY_SUPPORT", "POVERTY_RELIEF", "YOUTH", "COMMUNITY_GOVERNANCE",
              "NEIGHBOR_MUTUAL_AID", "VOLUNTEERS", "SOCIAL_WORK", "LEGAL_AID")
METHODS = ("QUESTIONNAIRE", "DOOR_TO_DOOR", "FIELD_SURVEY")  # 问卷调查、入户走访、实地了解

# --- illustrative names (the report names none of these) --------------------------------------------
# The six subdistricts served and their twenty communities.
SERVED = {
    "新阳路街道": ("共乐社区", "新阳社区", "安平社区", "友谊社区"),
    "抚顺街道": ("抚顺社区", "顺迈社区", "上游社区", "安和社区"),
    "兆麟街道": ("兆麟社区", "西头道社区", "地段社区"),
    "尚志街道": ("尚志社区", "中医街社区", "西十道社区"),
    "工农街道": ("工农社区", "安心社区", "河润社区"),
    "安静街道": ("安静社区", "斯大林社区", "经纬社区"),
}
# Further subdistricts of the district, for the service stations beyond the communities served.
OTHER_SUBDISTRICTS = ("通江街道", "正阳河街道", "建国街道", "新华街道", "城乡路街道", "康安街道", "群力街道",
                      "东莱街道", "太平镇", "榆树镇", "新发镇")

# Statistical division codes for the gazetteer: ILLUSTRATIVE, invented under Daoli's 230102 in the shape
# of the real ones (subdistrict: 230102 + 3 digits + 000; community: its subdistrict's 9 digits + 3), not
# the National Bureau of Statistics' actual codes for these places.
SUBDISTRICT_CODES = {name: f"{DISTRICT_CODE}{n:03d}000"
                     for n, name in enumerate((*SERVED, *OTHER_SUBDISTRICTS), start=1)}


def bureau_credit_code(district: str) -> str:
    """An illustrative credit code of a district's civil-affairs bureau (authority 1 机构编制, type 1 机关)."""
    from services.common.kernel.credit_code import make_credit_code

    return make_credit_code(district, 1, authority="1", kind="1")


def community_code(subdistrict: str, n: int) -> str:
    """The illustrative code of a subdistrict's n-th community (from 1)."""
    return f"{SUBDISTRICT_CODES[subdistrict][:9]}{n:03d}"


# Requested (and granted) amounts of the seventeen selected entries, in yuan: they spend the whole fund.
GRANTS_YUAN = (150_000, 140_000, 130_000, 130_000, 125_000, 120_000, 120_000, 120_000, 115_000,
               115_000, 110_000, 110_000, 110_000, 105_000, 100_000, 100_000, 100_000)
assert sum(GRANTS_YUAN) == BUDGET_YUAN and len(GRANTS_YUAN) == SELECTED

PANEL = (("王教授", "EXPERT"), ("李博士", "EXPERT"), ("张大妈", "RESIDENT_REP"),
         ("刘主任", "OFFICIAL"), ("赵理事长", "ORG_REP"))
MIN_REVIEWS = 3
# The evaluations under way: how many have their INITIAL phase open, and how many of those are completed.
EVALUATIONS_OPENED = 5
EVALUATIONS_INITIAL_COMPLETED = 3
VIOLATION_YUAN = 8_000   # 虚列劳务费: one violation found, its recovery order raised


@dataclass(frozen=True)
class Figures:
    """What the loader builds. `scaled(x)` shrinks the bulk (service records, stations) and keeps the rest."""

    beneficiaries: int = BENEFICIARIES
    person_times: int = PERSON_TIMES
    service_stations: int = SERVICE_STATIONS

    def scaled(self, scale: float) -> "Figures":
        if scale >= 1:
            return self
        beneficiaries = max(SELECTED * 2, math.ceil(self.beneficiaries * scale))
        return replace(
            self,
            beneficiaries=beneficiaries,
            person_times=max(beneficiaries, math.ceil(self.person_times * scale)),
            service_stations=max(COMMUNITIES_SERVED, math.ceil(self.service_stations * scale)),
        )

    def headline(self) -> dict:
        """The district portal's headline figures, as `services.demo.headline` reads them from the gateway."""
        return {
            "roundName": ROUND_NAME,
            "budget": f"{BUDGET_YUAN}.00",
            "needs": NEEDS,
            "libraryEntries": LIBRARY_ENTRIES,
            "selected": SELECTED,
            "awarded": SELECTED,
            "committed": f"{sum(GRANTS_YUAN)}.00",
            "beneficiaries": self.beneficiaries,
            "personTimes": self.person_times,
            "subdistrictsServed": SUBDISTRICTS_SERVED,
            "communitiesServed": COMMUNITIES_SERVED,
            "incubatorOrganizations": INCUBATOR_ORGANIZATIONS,
            "incubatorRegistered": INCUBATOR_REGISTERED,
            "incubatorFiled": INCUBATOR_FILED,
            "serviceStations": self.service_stations,
            "compliantServiceStations": self.service_stations,
            "partyOrganizations": PARTY_ORGANIZATIONS,
            "partyIndependent": PARTY_INDEPENDENT,
            "partyJoint": PARTY_JOINT,
            "partyCoveragePercent": PARTY_COVERAGE_PERCENT,
            "evaluations": SELECTED,
            "openRecoveryOrders": 1,
        }


SOURCE = Figures()

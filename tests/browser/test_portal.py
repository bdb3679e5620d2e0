"""The district portal as a bureau clerk and a city admin meet it, in headless Chromium."""

from __future__ import annotations

import asyncio
import re

from playwright.async_api import expect

from services.common.kernel import calendar
from tests import support as testing

BUREAU = "demo-bureau-admin"
CITY = "demo-city-admin"


def n(value: int) -> str:
    return f"{value:,}"


async def test_root_leads_to_the_portal_and_the_bureau_admin_sees_the_headline_figures(visit, demo):
    page = visit.page
    await page.goto(f"{visit.base}/")
    assert page.url.endswith("/portal/")
    await expect(page.get_by_test_id("signin")).to_contain_text("开发环境登录")
    await visit.screenshot("01-sign-in")

    await page.locator(f"button[data-subject='{BUREAU}']").click()
    for testid, value in [("fig-needs", demo["needs"]), ("fig-entries", demo["libraryEntries"]),
                          ("fig-projects", demo["awarded"]), ("fig-beneficiaries", demo["beneficiaries"]),
                          ("fig-person-times", demo["personTimes"]), ("fig-incubator", demo["incubatorOrganizations"]),
                          ("fig-stations", demo["serviceStations"]), ("fig-party", demo["partyOrganizations"])]:
        await expect(page.get_by_test_id(testid).locator(".value")).to_have_text(n(value))
    await expect(page.get_by_test_id("fig-registered-filed").locator(".value")).to_have_text(re.compile(r"^\d+ / \d+$"))
    assert (demo["needs"], demo["libraryEntries"], demo["awarded"]) == (88, 42, 17)
    assert (demo["incubatorOrganizations"], demo["partyOrganizations"]) == (28, 31)
    await expect(page.locator(".chart canvas")).to_have_count(5)
    await visit.screenshot("02-dashboard")


async def test_a_round_step_through_a_form_and_a_bad_value_refused_beside_its_field(visit):
    page = visit.page
    await visit.sign_in(BUREAU)
    await page.goto(f"{visit.base}/portal/#/round/needs")
    opening = page.get_by_test_id("open-round")
    await opening.locator("input[name=name]").fill("道里区第二届公益创投")
    await opening.locator("input[name=budget]").fill("0.00")
    await opening.get_by_role("button", name="提交").click()
    beside = opening.locator("[data-field-error=budget]")
    await expect(beside).to_contain_text("above zero")
    await expect(opening.locator("input[name=budget]")).to_have_attribute("aria-invalid", "true")
    await expect(page.get_by_test_id("round-chooser").locator("option")).to_have_count(1)
    await visit.screenshot("03-open-round-refused")

    await opening.locator("input[name=budget]").fill("500000.00")
    await opening.get_by_role("button", name="提交").click()
    # The new round is now the one being worked on: its first step, needs intake.
    await expect(page.get_by_test_id("round-chooser").locator("option")).to_have_count(2)
    await expect(page.get_by_test_id("round-chooser")).to_contain_text("道里区第二届公益创投")
    await expect(page.get_by_test_id("needs-page")).to_contain_text("共 0 条")
    need = page.get_by_test_id("record-need")
    # Places are picked from the district's gazetteer, not typed.
    await need.locator("select[name=subdistrict]").select_option(label="新阳路街道")
    await need.locator("select[name=community]").select_option(label="共乐社区")
    await need.locator("select[name=category]").select_option("ELDERLY_CARE")
    await need.get_by_role("button", name="提交").click()
    await expect(need.locator("[data-field-error=description]")).not_to_be_empty()
    await need.locator("textarea[name=description]").fill("独居老人助餐与探访")
    await need.get_by_role("button", name="提交").click()
    await expect(page.get_by_test_id("record-need-status")).to_have_text("已保存")
    await page.reload()
    await expect(page.get_by_test_id("needs")).to_contain_text("独居老人助餐与探访")
    await visit.screenshot("04-need-recorded")

    # Back on the demo round, every step's screen shows its records without an error.
    chooser = page.get_by_test_id("round-chooser")
    await chooser.select_option(await chooser.locator("option", has_text="道里区首届").get_attribute("value"))
    await expect(page.get_by_test_id("round-chooser")).to_have_value(re.compile("."))
    for step in ("needs", "library", "review", "selection", "notice", "award", "disbursement", "service", "expenses",
                 "evaluation", "inspections", "findings", "rectification", "recovery"):
        await page.goto(f"{visit.base}/portal/#/round/{step}")
        await expect(page.get_by_test_id(f"step-{step}").locator("table").first).to_be_visible()
        await expect(page.get_by_test_id(f"step-{step}").locator(".error")).to_have_count(0)
        await visit.screenshot(f"05-round-{step}")
    await expect(page.get_by_test_id("recovery-orders")).to_contain_text("¥")


async def test_an_organization_reports_expenses_and_hundreds_of_service_records_from_a_csv(visit, gateway, tmp_path):
    bureau = testing.token(testing.DAOLI, "bureau_admin")
    data = await gateway.ok("""{ projects(status: AWARDED, first: 1) { edges { node { id title subdistrict personTimes
        organization { id } } } } }""", token=bureau)
    project = data["projects"]["edges"][0]["node"]
    # A record names a community of the district's gazetteer: one in the project's subdistrict.
    places = (await gateway.ok("{ gazetteer { id kind name subdistrictId } }", token=bureau))["gazetteer"]
    subdistrict = next(p for p in places if p["kind"] == "SUBDISTRICT" and p["name"] == project["subdistrict"])
    project["community"] = next(p["name"] for p in places if p["subdistrictId"] == subdistrict["id"])
    member = testing.token(testing.DAOLI, "org_member", org=project["organization"]["id"], sub="demo-org-member")
    page = visit.page
    await page.goto(f"{visit.base}/portal/#/signin")
    await page.get_by_test_id("paste-token").locator("textarea").fill(member)
    await page.get_by_test_id("paste-token").get_by_role("button", name="登录").click()
    await expect(page.get_by_test_id("who")).to_contain_text("demo-org-member")

    await page.goto(f"{visit.base}/portal/#/round/expenses")
    expense = page.get_by_test_id("report-expense")
    await expense.locator("select[name=projectId]").select_option(project["id"])
    before = await page.get_by_test_id("expenses-page").text_content()
    await expense.locator("input[name=amount]").fill("0.00")
    today = calendar.today().isoformat()  # China's date (the rules' calendar): the day the demo awarded it
    await expense.locator("input[name=spentOn]").fill(today)
    await expense.locator("input[name=description]").fill("活动物料")
    await expense.get_by_role("button", name="提交").click()
    await expect(expense.locator("[data-field-error=amount]")).to_contain_text("above zero")
    await expect(page.get_by_test_id("expenses-page")).to_have_text(before)
    await expense.locator("input[name=amount]").fill("1280.50")
    await expense.get_by_role("button", name="提交").click()
    await expect(page.get_by_test_id("report-expense-status")).to_have_text("已保存")
    await expect(page.get_by_test_id("expenses")).to_contain_text("¥1,280.50")
    await visit.screenshot("06-expense-saved")

    rows = ["community,serviceDate,beneficiary,personTimes"]
    rows += [f"{project['community']},{today},CSV-{i:04d},2" for i in range(250)]
    rows[1 + 120] = f"{project['community']},{today},CSV-bad-a,0"          # person-times below 1
    rows[1 + 201] = f"{project['community']},not-a-date,CSV-bad-b,3"          # a date the API refuses
    csv = tmp_path / "records.csv"
    csv.write_text("\n".join(rows) + "\n", encoding="utf-8")
    await page.goto(f"{visit.base}/portal/#/round/service")
    upload = page.get_by_test_id("csv-upload")
    await upload.locator("select[name=projectId]").select_option(project["id"])
    await upload.locator("input[type=file]").set_input_files(str(csv))
    await upload.get_by_role("button", name="上传").click()
    await expect(page.get_by_test_id("csv-summary")).to_have_text("共 250 条：已保存 248 条，退回 2 条", timeout=60_000)
    errors = page.get_by_test_id("csv-errors")
    await expect(errors.locator("tbody tr")).to_have_count(2)
    await expect(errors.locator("tr[data-line='122']")).to_contain_text("person-times")
    await expect(errors.locator("tr[data-line='203']")).to_be_visible()
    await expect(page.get_by_test_id("csv-progress").locator("progress")).to_have_attribute("value", "250")
    await visit.screenshot("07-service-records-csv")

    after = await gateway.ok("query($id: ID!) { project(id: $id) { personTimes } }", {"id": project["id"]}, token=bureau)
    assert after["project"]["personTimes"] == project["personTimes"] + 248 * 2


async def test_a_recovery_alert_arrives_live(visit, gateway):
    page = visit.page
    await visit.sign_in(BUREAU)
    await page.goto(f"{visit.base}/portal/#/alerts")
    await expect(page.get_by_test_id("alerts-state")).to_have_attribute("data-connected", "true")
    bureau = testing.token(testing.DAOLI, "bureau_admin")
    data = await gateway.ok("""{ projects(status: AWARDED, first: 3) { edges { node { id title } } } }""", token=bureau)
    project = data["projects"]["edges"][2]["node"]
    await gateway.ok("""mutation($input: OrderRecoveryInput!) { orderRecovery(input: $input) { id } }""",
                     {"input": {"projectId": project["id"], "amount": "3456.00", "reason": "浏览器测试：违规列支"}}, token=bureau)
    alert = page.get_by_test_id("alert").first
    await expect(alert).to_contain_text(project["title"], timeout=15_000)
    await expect(alert).to_contain_text("¥3,456.00")
    await expect(alert).to_contain_text("追回令下达")
    await expect(page.get_by_test_id("recovery-orders")).to_contain_text("浏览器测试：违规列支")
    await visit.screenshot("08-recovery-alert")


async def test_a_city_admin_sees_every_district_of_the_city(visit, gateway):
    city = testing.token(None, "city_admin", city=testing.HARBIN)
    districts = (await gateway.ok("{ districts { code name } }", token=city))["districts"]
    assert len(districts) >= 2
    page = visit.page
    await visit.sign_in(CITY)
    await expect(page).to_have_url(re.compile(r"#/city$"))
    table = page.get_by_test_id("city-table")
    await expect(table.locator("tbody tr")).to_have_count(len(districts))
    for d in districts:
        await expect(table).to_contain_text(d["name"])
    await expect(page.get_by_test_id("district-chart")).to_have_count(len(districts))
    await visit.screenshot("09-city-overview")


async def test_the_explorer_is_graphiql_served_by_the_platform(visit):
    page = visit.page
    await page.goto(f"{visit.base}/graphql")
    await expect(page.locator(".graphiql-container")).to_be_visible(timeout=20_000)
    await expect(page.locator(".graphiql-query-editor")).to_contain_text("publicNotices", timeout=20_000)
    await page.locator(".graphiql-execute-button").click()
    await expect(page.locator(".graphiql-response")).to_contain_text('"publicNotices"', timeout=20_000)
    await visit.screenshot("10-explorer")


async def test_a_resident_lodges_an_objection_on_the_public_notices_page_without_an_account(visit, gateway):
    from services.funding.tests.test_public_objections import OBJECTIONS, project_on_notice

    bureau = testing.token(testing.DAOLI, "bureau_admin")
    _, project = await project_on_notice(gateway, bureau)
    page = visit.page
    await page.goto(f"{visit.base}/portal/notices.html?district={testing.DAOLI}")
    notice = page.get_by_test_id("notice").filter(has_text="课后托管")
    await expect(notice).to_be_visible()
    objection = notice.get_by_test_id("objection")
    await objection.locator("textarea[name=text]").fill("该项目与社区已有托管服务重复")
    await objection.get_by_role("button", name="提交异议").click()
    await expect(objection.locator("[data-field-error=contact]")).not_to_be_empty()
    await visit.screenshot("11-public-objection-refused")
    await objection.locator("input[name=contact]").fill("13800000000")
    await objection.get_by_role("button", name="提交异议").click()
    await expect(page.get_by_test_id("objection-status")).to_have_text(re.compile("^已收到"))
    await visit.screenshot("12-public-objection-lodged")
    seen = (await gateway.ok(OBJECTIONS, {"id": project}, token=bureau))["project"]["objections"]
    assert seen == [{"reason": "该项目与社区已有托管服务重复", "status": "OPEN", "public": True, "contact": "13800000000"}]


async def test_a_bureau_registers_a_webhook_sends_a_test_event_and_reads_its_delivery_log(visit):
    import contextlib

    from services.funding.webhooks.dispatcher import WebhookDispatcher
    from services.funding.webhooks.settings import WebhookSettings
    from tests.webhook_receiver import Receiver

    page = visit.page
    await visit.sign_in(BUREAU)
    await page.goto(f"{visit.base}/portal/#/webhooks")
    receiver = Receiver()
    webhook_form = page.get_by_test_id("webhook-form")
    # A refusal beside its field first: an address that is not a URL.
    await webhook_form.locator("input[name='url']").fill("not a url")
    await webhook_form.locator("button[type='submit']").click()
    await expect(webhook_form.locator("[data-field-error='url']")).not_to_be_empty()
    await webhook_form.locator("input[name='url']").fill(receiver.url)
    await webhook_form.locator("input[name='description']").fill("区财政局资金监管系统")
    await webhook_form.locator("button[type='submit']").click()
    secret = page.get_by_test_id("webhook-secret").locator("code")
    await expect(secret).to_contain_text("whsec_")
    receiver.secrets.append(await secret.inner_text())
    row = page.get_by_test_id("webhook-list").locator("tbody tr", has_text=receiver.url)
    await expect(row).to_contain_text("区财政局资金监管系统")

    dispatcher = WebhookDispatcher(WebhookSettings(poll_seconds=0.05, timeout_seconds=5), production=False)
    running = asyncio.create_task(dispatcher.run())
    try:
        async with receiver.running():
            await row.get_by_role("button", name="发送测试事件").click()
            log = page.get_by_test_id("webhook-log")
            await expect(log).to_contain_text("webhook.test", timeout=15_000)
            for _ in range(100):  # until the dispatcher has sent it and the receiver verified the signature
                if receiver.received:
                    break
                await asyncio.sleep(0.1)
            assert len(receiver.received) == 1 and receiver.bad_signatures == 0
            await row.get_by_role("button", name="投递记录").click()
            await expect(log.locator("[data-status='DELIVERED']")).to_have_count(1, timeout=15_000)
            await expect(log).to_contain_text("204")
            await visit.screenshot("13-webhooks")
    finally:
        running.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await running
        await dispatcher.close()


async def test_a_bureau_admin_adds_a_reviewer_account_and_deactivates_it(visit, gateway):
    page = visit.page
    await visit.sign_in(BUREAU)
    await page.goto(f"{visit.base}/portal/#/accounts")
    account_form = page.get_by_test_id("account-form")
    await account_form.locator("input[name='name']").fill("王评审")
    await account_form.locator("button[type='submit']").click()  # no subject: refused beside its field
    await expect(account_form.locator("[data-field-error='subject']")).not_to_be_empty()
    await account_form.locator("input[name='subject']").fill("reviewer-wang")
    await account_form.locator("button[type='submit']").click()
    await expect(page.get_by_test_id("account-form-status")).to_have_text("已新增")
    row = page.get_by_test_id("accounts").locator("tbody tr", has_text="reviewer-wang")
    await expect(row).to_contain_text("评审专家")
    await expect(row).to_contain_text("有效")
    await visit.screenshot("14-accounts")
    reviewers = await gateway.ok("{ accounts(role: REVIEWER, first: 100) { edges { node { subject active } } } }",
                                 token=testing.token(testing.DAOLI, "bureau_admin"))
    assert {"subject": "reviewer-wang", "active": True} in [e["node"] for e in reviewers["accounts"]["edges"]]
    await row.get_by_role("button", name="停用").click()
    await expect(page.get_by_test_id("accounts").locator("tbody tr", has_text="reviewer-wang")).to_contain_text("已停用")

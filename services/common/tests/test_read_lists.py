"""Read lists (data/reads.py) give the rows, values and order the ORM gives for the same lookups, under the
same row-level security, and refuse what they do not know rather than read something else."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest

from services.common.data.reads import read_list
from services.common.data.tenancy import tenant_transaction
from services.common.kernel.categories import Category
from services.registry import models
from tests.support import DAOLI, NANGANG

T0 = dt.datetime(2026, 3, 1, tzinfo=dt.timezone.utc)


async def _seed() -> None:
    for district in (DAOLI, NANGANG):
        async with tenant_transaction("registry", [district]):
            for i in range(7):
                await models.SocialOrganization.create(
                    district=district, name=f"{district} 社区 Org_{i}%", category=list(Category)[i % 3],
                    registration=models.Registration.REGISTERED if i % 2 else models.Registration.FILED,
                    credit_code=None if i % 2 == 0 else f"C{district}{i}", subdistrict=f"街道{i % 2}",
                    incubation_stage=[models.IncubationStage.GROWTH, models.IncubationStage.STARTUP, None][i % 3],
                )
            for i in range(4):
                await models.ServiceStation.create(
                    district=district, subdistrict="街道0", community=f"社区{i}", has_staff_at_window=True,
                    has_name_plate=True, has_computer=i != 1, has_archive_cabinet=True, has_archive_materials=i != 2)
            await models.Account.create(district=district, issuer="idp", subject=f"a-{district}", name="甲",
                                        roles=["bureau_admin", "reviewer"], active=True)
            await models.Account.create(district=district, issuer="idp", subject=f"b-{district}", name="乙",
                                        roles=["reviewer"], active=False, organization_id=uuid.uuid4())


LOOKUPS = [
    (models.SocialOrganization, {}, {}),
    (models.SocialOrganization, {"registration": models.Registration.FILED}, {}),
    (models.SocialOrganization, {"category__in": [Category(list(Category)[0]), list(Category)[2]]}, {}),
    (models.SocialOrganization, {"credit_code": None}, {}),
    (models.SocialOrganization, {"incubation_stage__isnull": False}, {}),
    (models.SocialOrganization, {"incubation_stage__isnull": True, "subdistrict": "街道1"}, {}),
    (models.SocialOrganization, {"name__icontains": "org_1%"}, {}),
    (models.SocialOrganization, {"name__icontains": "_"}, {}),  # no wildcards: every name holds one
    (models.SocialOrganization, {}, {"incubation_stage": models.IncubationStage.GROWTH}),
    (models.ServiceStation, {}, {"has_computer": True, "has_archive_materials": True}),
    (models.ServiceStation, {"has_computer": True, "has_archive_materials": True}, {}),
    (models.Account, {"roles__contains": ["bureau_admin"]}, {}),
    (models.Account, {"roles__contains": ["reviewer"], "active": False}, {}),
]


def _kinds(values: dict) -> dict:
    """Each value's Python type, asyncpg's UUID counted as the uuid.UUID it subclasses."""
    return {key: uuid.UUID if isinstance(value, uuid.UUID) else type(value) for key, value in values.items()}


@pytest.mark.parametrize("model, lookups, excluded", LOOKUPS)
async def test_a_read_list_reads_what_the_orm_reads(databases, model, lookups, excluded):
    await _seed()
    async with tenant_transaction("registry", [DAOLI]):
        ours = read_list(model).filter(**lookups)
        expected_rows = await model.filter(**lookups).order_by("created_at", "id").values()
        if excluded:
            # Excluded: the rows matching every excluded lookup together (a NULL matches nothing).
            # Tortoise's exclude() is not the reference here: it negates each lookup on its own.
            ours = ours.exclude(**excluded)
            matching = set(await model.filter(**lookups).filter(**excluded).values_list("id", flat=True))
            expected_rows = [values for values in expected_rows if values["id"] not in matching]
        rows = await ours.page(100, time_field="created_at")
        count = await ours.count()
    assert expected_rows, "each case selects something"
    assert [vars(row) for row in rows] == expected_rows
    assert [_kinds(vars(row)) for row in rows] == [_kinds(values) for values in expected_rows]
    assert count == len(expected_rows)
    assert {row.district for row in rows} == {DAOLI}  # row-level security, as for the ORM


async def test_pages_follow_the_keyset_and_rows_compute_the_models_properties(databases):
    await _seed()
    async with tenant_transaction("registry", [DAOLI]):
        everything = await read_list(models.ServiceStation).page(100, time_field="created_at")
        first = await read_list(models.ServiceStation).page(2, time_field="created_at")
        rest = await read_list(models.ServiceStation).page(
            100, time_field="created_at", after=(first[-1].created_at, first[-1].pk))
        instances = await models.ServiceStation.all().order_by("created_at", "id")
    assert [row.pk for row in first + rest] == [row.pk for row in everything] == [i.pk for i in instances]
    assert [row.compliant for row in everything] == [i.compliant for i in instances] == [True, False, False, True]


async def test_rows_sharing_a_timestamp_page_by_id(databases):
    async with tenant_transaction("registry", [DAOLI]):
        for i in range(5):
            await models.ServiceStation.create(district=DAOLI, subdistrict="街道0", community=f"社区{i}")
        await models.ServiceStation.all().update(created_at=T0)
        ids = sorted([row.pk for row in await read_list(models.ServiceStation).page(100, time_field="created_at")])
        second = await read_list(models.ServiceStation).page(10, time_field="created_at", after=(T0, ids[1]))
    assert [row.pk for row in second] == ids[2:]


async def test_a_page_of_some_columns_reads_only_those_and_the_keysets_with_the_same_values(databases):
    await _seed()
    async with tenant_transaction("registry", [DAOLI]):
        whole = await read_list(models.SocialOrganization).page(100, time_field="created_at")
        some = await read_list(models.SocialOrganization).page(100, time_field="created_at",
                                                                only=("name", "category"))
        with pytest.raises(ValueError, match="no column"):
            await read_list(models.SocialOrganization).page(10, time_field="created_at", only=("name", "secret"))
    assert [vars(row) for row in some] == [
        {"id": row.id, "created_at": row.created_at, "name": row.name, "category": row.category} for row in whole]
    assert isinstance(some[0].category, Category)  # converted as in a whole row
    with pytest.raises(AttributeError):
        some[0].status  # a column not read is absent, never a wrong value


def test_what_a_read_list_does_not_know_is_refused():
    with pytest.raises(ValueError, match="no column"):
        read_list(models.SocialOrganization).filter(nmae="x")
    with pytest.raises(ValueError, match="lookup"):
        read_list(models.SocialOrganization).filter(name__startswith="x")
    with pytest.raises(ValueError, match="no column"):
        read_list(models.SocialOrganization).filter(**{'name" OR true --': "x"})


async def test_values_travel_as_parameters(databases):
    await _seed()
    hostile = "x' OR '1'='1"
    async with tenant_transaction("registry", [DAOLI]):
        assert await read_list(models.SocialOrganization).filter(name=hostile).count() == 0
        assert await read_list(models.SocialOrganization).filter(name__icontains=hostile).count() == 0
        assert await read_list(models.SocialOrganization).filter(district__in=[hostile, DAOLI]).count() == 7

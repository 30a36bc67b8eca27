"""Factories shared by every app's tests. App-specific factories live in tests/<app>/factories.py."""

import itertools

import factory
from django.contrib.auth.models import Group

from portal.accounts.constants import ApplicantKind, Role
from portal.accounts.models import Department, User, Window


class DepartmentFactory(factory.django.DjangoModelFactory[Department]):
    class Meta:
        model = Department
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"D{n:03d}")
    name = factory.Sequence(lambda n: f"测试局{n}")


class WindowFactory(factory.django.DjangoModelFactory[Window]):
    class Meta:
        model = Window
        django_get_or_create = ("number",)

    number = factory.Sequence(lambda n: n + 1)
    name = "综合受理"


class UserFactory(factory.django.DjangoModelFactory[User]):
    """``UserFactory(role=Role.CLERK)`` puts the user in the role's group."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    real_name = factory.Sequence(lambda n: f"张三{n}")
    phone = factory.Sequence(lambda n: f"139{n:08d}")
    password = factory.PostGenerationMethodCall("set_password", "demo12345")

    @factory.post_generation
    def groups(self, create, extracted, **kwargs):
        role = getattr(self, "_factory_role", None)
        if role:
            group, _ = Group.objects.get_or_create(name=str(role))
            self.groups.add(group)
        self.save()

    @classmethod
    def _create(cls, model_class, *args, role=None, **kwargs):
        obj = model_class(*args, **kwargs)
        obj._factory_role = role
        obj.save()
        return obj


DEFAULT_ID_NUMBER = "11010519491231002X"
_id_serial = itertools.count(1)


def resident_id(serial: int) -> str:
    """A checksum-valid resident ID number (GB 11643), a different one for each serial."""
    body = f"11010119800101{serial % 1000:03d}"
    body = f"1101{(serial // 1000) % 100:02d}" + body[6:]
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    return body + "10X98765432"[sum(int(d) * w for d, w in zip(body, weights, strict=True)) % 11]


def citizen(**kwargs):
    """A natural-person applicant. ID numbers are unique (a database constraint): the first citizen of a
    test gets DEFAULT_ID_NUMBER, the others a fresh valid one, unless the test names one."""
    kwargs.setdefault("applicant_kind", ApplicantKind.PERSON)
    if "id_number" not in kwargs:
        from portal import pii

        number = DEFAULT_ID_NUMBER
        while User.objects.filter(id_number_hash__in=pii.lookup_hashes(number)).exists():
            number = resident_id(next(_id_serial))
        kwargs["id_number"] = number
    return UserFactory(role=Role.CITIZEN, **kwargs)


def staff(role: str, department: Department | None = None, **kwargs):
    return UserFactory(role=role, department=department, **kwargs)


# --- catalogue, applications and cases (shared by every app's tests) -----------------------------

from django.utils import timezone  # noqa: E402

from intake.constants import ApplicationStatus, ItemStatus  # noqa: E402
from intake.models import Application, Item, Material, Step  # noqa: E402


class ItemFactory(factory.django.DjangoModelFactory[Item]):
    """A published item with a 20-working-day statutory and 5-day promised limit."""

    class Meta:
        model = Item

    code = factory.Sequence(lambda n: f"ITEM-{n:04d}")
    name = factory.Sequence(lambda n: f"测试许可事项{n}")
    department = factory.SubFactory(DepartmentFactory)
    status = ItemStatus.PUBLISHED
    statutory_limit = 20
    promised_limit = 5
    legal_basis = "《中华人民共和国行政许可法》"
    conditions = "申请人具备相应条件"


class MaterialFactory(factory.django.DjangoModelFactory[Material]):
    class Meta:
        model = Material

    item = factory.SubFactory(ItemFactory)
    name = factory.Sequence(lambda n: f"申请材料{n}")


class StepFactory(factory.django.DjangoModelFactory[Step]):
    class Meta:
        model = Step

    item = factory.SubFactory(ItemFactory)
    name = "审查"
    role = "review"
    limit_days = 2


def item_snapshot(item: Item) -> dict:
    return {
        "code": item.code,
        "name": item.name,
        "department_id": item.department_id,
        "statutory_limit": item.statutory_limit,
        "promised_limit": item.promised_limit,
        "limit_unit": item.limit_unit,
        "joint_handling": item.joint_handling,
        "extension_limit": item.extension_limit,
        "extension_basis": item.extension_basis,
    }


class ApplicationFactory(factory.django.DjangoModelFactory[Application]):
    """A submitted application (no case: use CaseFactory for that)."""

    class Meta:
        model = Application

    reference = factory.Sequence(lambda n: f"SP-20260101-{n:06d}")
    item = factory.SubFactory(ItemFactory)
    applicant = factory.LazyFunction(citizen)
    status = ApplicationStatus.SUBMITTED
    applicant_name = factory.LazyAttribute(lambda o: o.applicant.display_name)
    applicant_id_number = factory.LazyAttribute(lambda o: o.applicant.id_number or o.applicant.credit_code)
    contact_phone = "13912345678"
    item_snapshot = factory.LazyAttribute(lambda o: item_snapshot(o.item))
    submitted_at = factory.LazyFunction(timezone.now)

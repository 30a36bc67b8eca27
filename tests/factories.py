"""Factories shared by every app's tests. App-specific factories live in tests/<app>/factories.py."""
import factory
from django.contrib.auth.models import Group

from portal.accounts.constants import ApplicantKind, Role
from portal.accounts.models import Department, User, Window


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"D{n:03d}")
    name = factory.Sequence(lambda n: f"测试局{n}")


class WindowFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Window
        django_get_or_create = ("number",)

    number = factory.Sequence(lambda n: n + 1)
    name = "综合受理"


class UserFactory(factory.django.DjangoModelFactory):
    """``UserFactory(role=Role.CLERK)`` puts the user in the role's group."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    real_name = factory.Sequence(lambda n: f"张三{n}")
    phone = factory.Sequence(lambda n: f"139{n:08d}")
    password = factory.PostGenerationMethodCall("set_password", "demo12345")

    @factory.post_generation
    def groups(self, create, extracted, **kwargs):  # type: ignore[no-untyped-def]
        role = getattr(self, "_factory_role", None)
        if role:
            group, _ = Group.objects.get_or_create(name=str(role))
            self.groups.add(group)
        self.save()

    @classmethod
    def _create(cls, model_class, *args, role=None, **kwargs):  # type: ignore[no-untyped-def]
        obj = model_class(*args, **kwargs)
        obj._factory_role = role
        obj.save()
        return obj


def citizen(**kwargs):  # type: ignore[no-untyped-def]
    kwargs.setdefault("applicant_kind", ApplicantKind.PERSON)
    kwargs.setdefault("id_number", "11010519491231002X")
    return UserFactory(role=Role.CITIZEN, **kwargs)


def staff(role: str, department: Department | None = None, **kwargs):  # type: ignore[no-untyped-def]
    return UserFactory(role=role, department=department, **kwargs)

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.urls import reverse
from rest_framework.test import APIClient

from portal.accounts import demo
from portal.accounts.models import Department, User, Window
from portal.accounts.validators import (
    credit_code_check_char,
    resident_id_check_char,
    validate_credit_code,
    validate_resident_id,
)
from tests.factories import UserFactory, citizen

GOOD_ID = "11010519491231002X"
GOOD_USCC = "91350100M000100Y43"


def test_gb11643_check_digit():
    validate_resident_id(GOOD_ID)
    validate_resident_id(GOOD_ID.lower())
    assert resident_id_check_char(GOOD_ID[:17]) == "X"
    for bad in ["110105194912310021", "11010519491231002", "110105194913310020", "A1010519491231002X"]:
        with pytest.raises(ValidationError):
            validate_resident_id(bad)


def test_gb32100_check_digit():
    validate_credit_code(GOOD_USCC)
    assert credit_code_check_char(GOOD_USCC[:17]) == "3"
    for bad in ["91350100M000100Y44", "91350100M000100Y4", "91350100M000100I43"]:
        with pytest.raises(ValidationError):
            validate_credit_code(bad)


def _person(**over):
    data = {
        "kind": "person",
        "username": "wangxm",
        "real_name": "王小明",
        "id_number": GOOD_ID,
        "phone": "13912345678",
        "password1": "Zw-fw2026!secure",
        "password2": "Zw-fw2026!secure",
    }
    data.update(over)
    return data


@pytest.mark.django_db
def test_register_page_creates_a_citizen_and_signs_in(client):
    response = client.post(reverse("accounts:register"), _person())
    assert response.status_code == 302
    user = User.objects.get(username="wangxm")
    assert user.has_role("citizen") and user.id_number == GOOD_ID
    assert client.get(reverse("home")).context["user"] == user


@pytest.mark.django_db
@pytest.mark.parametrize(
    "field,value,message",
    [
        ("id_number", "110105194912310021", "校验位不正确"),
        ("id_number", "", "须填写居民身份证号码"),
        ("phone", "12345", "11位"),
        ("password2", "different-Pass-1", "不一致"),
    ],
)
def test_register_page_shows_clear_errors(client, field, value, message):
    response = client.post(reverse("accounts:register"), _person(**{field: value}))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not User.objects.filter(username="wangxm").exists()


@pytest.mark.django_db
def test_register_enterprise_via_api_and_token():
    api = APIClient()
    response = api.post(
        "/api/v1/auth/register/",
        {
            "kind": "enterprise",
            "username": "qinghe",
            "password": "Zw-fw2026!secure",
            "real_name": "李娜",
            "enterprise_name": "示范市青禾餐饮管理有限公司",
            "credit_code": GOOD_USCC.lower(),
            "phone": "13912345678",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["masked_id_number"] == "9135**********Y43"[:4] + "*" * 10 + GOOD_USCC[-4:]
    user = User.objects.get(username="qinghe")
    assert user.has_role("enterprise") and user.credit_code == GOOD_USCC
    token = api.post("/api/v1/auth/token/", {"username": "qinghe", "password": "Zw-fw2026!secure"}).json()[
        "token"
    ]
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert api.get("/api/v1/auth/me/").json()["username"] == "qinghe"


@pytest.mark.django_db
def test_register_api_field_errors_and_duplicates():
    api = APIClient()
    bad = api.post(
        "/api/v1/auth/register/",
        {
            "kind": "enterprise",
            "username": "qinghe",
            "password": "Zw-fw2026!secure",
            "real_name": "李娜",
            "enterprise_name": "x",
            "credit_code": "91350100M000100Y44",
            "phone": "13912345678",
        },
        format="json",
    )
    assert bad.status_code == 400
    assert "校验位" in bad.json()["credit_code"][0]
    bad_phone = api.post(
        "/api/v1/auth/register/",
        {
            "kind": "person",
            "username": "qinghe",
            "password": "Zw-fw2026!secure",
            "real_name": "李娜",
            "id_number": GOOD_ID,
            "phone": "139",
        },
        format="json",
    )
    assert bad_phone.status_code == 400 and "11位" in bad_phone.json()["phone"][0]
    citizen(username="taken", id_number=GOOD_ID)
    dup = api.post(
        "/api/v1/auth/register/",
        {
            "kind": "person",
            "username": "taken",
            "password": "Zw-fw2026!secure",
            "real_name": "张三",
            "id_number": GOOD_ID,
            "phone": "13912345678",
        },
        format="json",
    )
    assert dup.status_code == 400
    assert "username" in dup.json() and "id_number" in dup.json()
    assert User.objects.filter(username="taken").count() == 1


@pytest.mark.django_db
def test_token_with_wrong_password_is_400():
    UserFactory(username="u1")
    assert APIClient().post("/api/v1/auth/token/", {"username": "u1", "password": "nope"}).status_code == 400


@pytest.mark.django_db
def test_admin_user_list_masks_id_and_phone(client):
    citizen(username="masked", id_number=GOOD_ID, phone="13912345678")
    admin = UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(admin)
    html = client.get("/admin/accounts/user/").content.decode()
    assert "1101**********002X" in html and "139****5678" in html
    assert GOOD_ID not in html and "13912345678" not in html


@pytest.mark.django_db
def test_login_page_in_chinese_and_english(client):
    html = client.get(reverse("accounts:login")).content.decode()
    assert 'lang="zh-Hans"' in html and "登录" in html
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    html = client.get(reverse("accounts:login")).content.decode()
    assert 'lang="en"' in html and "Sign in" in html and "One-Window Government Service Portal" in html
    home = client.get(reverse("home")).content.decode()
    assert "Search services" in home and "Track a case" in home


@pytest.mark.django_db
def test_login_and_password_change(client):
    UserFactory(username="clerkx", role="clerk")
    response = client.post(reverse("accounts:login"), {"username": "clerkx", "password": "demo12345"})
    assert response.status_code == 302
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": "demo12345", "new_password1": "Nw-pass-2026!x", "new_password2": "Nw-pass-2026!x"},
    )
    assert response.status_code == 302
    assert User.objects.get(username="clerkx").check_password("Nw-pass-2026!x")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "role,text",
    [
        ("citizen", "查看您的申请"),
        ("clerk", "综合受理窗口"),
        ("reviewer", "本部门待办件"),
        ("inspector", "效能办"),
        ("catalogue_admin", "事项管理"),
    ],
)
def test_each_role_lands_on_its_own_home_page(client, role, text):
    client.force_login(UserFactory(role=role, department=Department.objects.create(code="D9", name="测试局")))
    html = client.get(reverse("home")).content.decode()
    assert text in html


@pytest.mark.django_db
def test_visitor_home_has_search_and_login(client):
    html = client.get(reverse("home")).content.decode()
    assert 'name="q"' in html and reverse("accounts:register") in html


@pytest.mark.django_db
def test_demo_load_is_idempotent_and_has_every_role():
    from io import StringIO

    demo.load(StringIO())
    counts = (Department.objects.count(), Window.objects.count(), User.objects.count())
    demo.load(StringIO())
    assert (Department.objects.count(), Window.objects.count(), User.objects.count()) == counts
    assert counts[0] >= 10
    for username, role in [
        ("citizen", "citizen"),
        ("enterprise", "enterprise"),
        ("clerk", "clerk"),
        ("reviewer", "reviewer"),
        ("decider", "decider"),
        ("head", "head"),
        ("inspector", "inspector"),
        ("admin", "catalogue_admin"),
    ]:
        user = User.objects.get(username=username)
        assert user.has_role(role) and user.check_password("demo12345")
    assert User.objects.get(username="clerk").window.number == 1
    assert User.objects.get(username="decider").department.name == "市场监督管理局"
    assert User.objects.get(username="inspector").department.is_efficiency_office
    assert User.objects.get(username="admin").is_superuser
    validate_resident_id(User.objects.get(username="citizen").id_number)
    validate_credit_code(User.objects.get(username="enterprise").credit_code)
    assert Group.objects.filter(name="citizen").exists()


@pytest.mark.django_db
def test_login_is_rate_limited(client):
    from django.core.cache import cache

    cache.clear()
    UserFactory(username="victim")
    codes = [
        client.post(reverse("accounts:login"), {"username": "victim", "password": f"wrong{i}"}).status_code
        for i in range(11)
    ]
    assert codes[:10] == [200] * 10 and codes[10] == 429
    assert (
        "过于频繁"
        in client.post(
            reverse("accounts:login"), {"username": "victim", "password": "demo12345"}
        ).content.decode()
    )
    cache.clear()
    assert (
        client.post(reverse("accounts:login"), {"username": "victim", "password": "demo12345"}).status_code
        == 302
    )


@pytest.mark.django_db
def test_users_choose_their_channels_and_language(client):
    from portal.notifications.services import notify

    user = citizen(username="pref", phone="13912345678")
    client.force_login(user)
    r = client.post(reverse("accounts:preferences"), {"notify_email": "on", "preferred_language": "en"})
    assert r.status_code == 200 and "电子邮箱" in r.content.decode()  # e-mail chosen without an address
    client.post(
        reverse("accounts:preferences"),
        {"notify_email": "on", "email": "p@example.cn", "preferred_language": "en"},
    )
    user.refresh_from_db()
    assert (user.notify_sms, user.notify_email, user.preferred_language) == (False, True, "en")
    channels = [d.channel for d in notify(recipient=user, event="case.approved", context={"reference": "R"})]
    assert channels == ["inbox", "email"]

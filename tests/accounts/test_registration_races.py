"""Registration under attack (issue 17, failures 7 and 9): one account per resident ID number and per
username regardless of case, held by database constraints so parallel registrations give one account and
a clear 400 to the others (never a 500); the per-username sign-in counter keys the normalised name."""

import threading

import pytest
from django.db import IntegrityError, connection, transaction
from rest_framework.test import APIClient

from portal.accounts.models import User
from tests.factories import citizen

ID = "11010519491231002X"
PASSWORD = "Zq8!long-pass"


def person(username: str, id_number: str = ID, phone: str = "13912345678") -> dict[str, str]:
    return {
        "kind": "person",
        "username": username,
        "real_name": "王五",
        "id_number": id_number,
        "phone": phone,
        "password": PASSWORD,
    }


@pytest.mark.django_db
def test_usernames_differing_only_in_case_are_one_name(client):
    r = client.post("/api/v1/auth/register/", person("Racer3"), content_type="application/json")
    assert r.status_code == 201
    r = client.post(
        "/api/v1/auth/register/",
        person("raCer3", id_number="110101199003070011"),
        content_type="application/json",
    )
    assert r.status_code == 400 and "已被注册" in r.json()["username"][0]
    assert User.objects.filter(username__iexact="racer3").count() == 1


@pytest.mark.django_db
def test_the_database_refuses_a_second_username_in_another_case_and_a_second_id_number():
    citizen(username="Racer3", id_number=ID)
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(username="raCer3")
    duplicate = User(username="other")
    duplicate.id_number = ID
    with pytest.raises(IntegrityError), transaction.atomic():
        duplicate.save()
    # people without an ID number (staff, enterprises) are not caught by it
    User.objects.create(username="staff1")
    User.objects.create(username="staff2")


def register_in_parallel(bodies: list[dict[str, str]]) -> list[tuple[int, dict]]:
    barrier = threading.Barrier(len(bodies))
    results: list[tuple[int, dict]] = []
    lock = threading.Lock()

    def register(body: dict[str, str]) -> None:
        client = APIClient(raise_request_exception=False)
        try:
            barrier.wait(timeout=10)
            r = client.post("/api/v1/auth/register/", body, format="json")
            with lock:
                results.append((r.status_code, r.json() if r.status_code < 500 else {}))
        finally:
            connection.close()

    threads = [threading.Thread(target=register, args=(body,)) for body in bodies]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_five_parallel_registrations_with_one_id_number_make_one_account(settings):
    settings.PORTAL_RATELIMITS = {"register": "1000/h"}
    results = register_in_parallel([person(f"racer{i}", phone=f"1391234567{i}") for i in range(5)])
    codes = sorted(code for code, _body in results)
    assert codes == [201, 400, 400, 400, 400], results
    for code, body in results:
        if code == 400:
            assert "身份证号码已注册" in body["id_number"][0], body
    assert User.objects.filter(username__startswith="racer").count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_same_username_in_parallel_gives_one_account_and_no_500(settings):
    settings.PORTAL_RATELIMITS = {"register": "1000/h"}
    numbers = ["110101199003070011", "11010519491231002X", "110100198001010014", "110100198001010022"]
    names = ["Racer3", "racer3", "RACER3", "raCer3"]
    results = register_in_parallel([person(n, id_number=i) for n, i in zip(names, numbers, strict=True)])
    codes = sorted(code for code, _body in results)
    assert codes == [201, 400, 400, 400], results
    for code, body in results:
        if code == 400:
            assert "已被注册" in body["username"][0], body
    assert User.objects.filter(username__iexact="racer3").count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("variant", [" m_citizen", "ｍ＿ｃｉｔｉｚｅｎ", "M_CITIZEN", "m_citizen\t"])
def test_the_per_username_sign_in_limit_counts_the_normalised_name(client, variant):
    """Spraying from many addresses with " citizen" or "ｃｉｔｉｚｅｎ" used to reset the counter."""
    user = citizen(username="m_citizen")
    user.set_password(PASSWORD)
    user.save()
    for i in range(10):
        r = client.post(
            "/accounts/login/",
            {"username": variant if i % 2 else "m_citizen", "password": "wrong"},
            REMOTE_ADDR=f"10.0.0.{i}",
        )
        assert r.status_code == 200
    r = client.post("/accounts/login/", {"username": variant, "password": PASSWORD}, REMOTE_ADDR="10.0.1.1")
    assert r.status_code == 429
    r = client.post(
        "/api/v1/auth/token/", {"username": "m_citizen", "password": PASSWORD}, REMOTE_ADDR="10.0.1.2"
    )
    assert r.status_code == 200  # the API's counter is its own (token-user) …
    for i in range(10):
        client.post("/api/v1/auth/token/", {"username": variant, "password": "x"}, REMOTE_ADDR=f"10.1.0.{i}")
    r = client.post(
        "/api/v1/auth/token/", {"username": "m_citizen", "password": PASSWORD}, REMOTE_ADDR="10.2.0.1"
    )
    assert r.status_code == 429  # … and counts the normalised name too

import copy
import json
import pickle
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from rest_framework.test import APIClient

from approvals.constants import CaseState
from approvals.models import Case
from intake.models import Application, ApplicationMaterial, FormField, ReferenceCounter
from tests.factories import ItemFactory, MaterialFactory, citizen
from tests.files import (
    PDF,  # noqa: E402
    PNG,  # noqa: E402
)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "private"
    return settings.MEDIA_ROOT


@pytest.fixture
def item(db):
    item = ItemFactory(code="SC-001", name="食品经营许可", mode_deferred=True, mode_commitment=True)
    FormField.objects.create(item=item, key="shop_name", label="店铺名称", kind="text", required=True)
    FormField.objects.create(item=item, key="area", label="经营面积", kind="number", required=True)
    FormField.objects.create(item=item, key="category", label="经营类别", kind="choice", choices="餐饮|零售")
    item.m_license = MaterialFactory(item=item, name="营业执照", mandatory=True)
    item.m_site = MaterialFactory(item=item, name="场地证明", mandatory=True, deferrable=True)
    return item


def _files(media):
    return [p for p in media.rglob("*") if p.is_file()] if media.exists() else []


def _api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def _post(user, item, *, form=None, files=None, **extra):
    data = {
        "item": item.code,
        "form_data": json.dumps(
            form if form is not None else {"shop_name": "青禾小馆", "area": "80", "category": "餐饮"}
        ),
    }
    data.update(extra)
    for key, (name, content) in (files or {}).items():
        data[key] = SimpleUploadedFile(name, content)
    return _api(user).post("/api/v1/applications/", data, format="multipart")


def test_submit_with_materials_gives_a_reference_and_opens_the_case(item, media):
    applicant = citizen()
    r = _post(
        applicant,
        item,
        files={
            f"material_{item.m_license.pk}": ("执照.pdf", PDF),
            f"material_{item.m_site.pk}": ("site.png", PNG),
        },
    )
    assert r.status_code == 201, r.json()
    reference = r.json()["reference"]
    assert re.fullmatch(r"SP-\d{8}-\d{6}", reference)
    case = Case.objects.get(reference=reference)
    assert case.state == CaseState.SUBMITTED and case.applicant == applicant
    assert len(_files(media)) == 2
    stored = ApplicationMaterial.objects.get(material=item.m_license)
    assert stored.original_name == "执照.pdf" and stored.extension == ".pdf"
    assert "执照" not in stored.file.name  # stored under a random token, not the user's name
    second = _post(
        applicant,
        item,
        files={f"material_{item.m_license.pk}": ("a.pdf", PDF), f"material_{item.m_site.pk}": ("b.pdf", PDF)},
    )
    n1, n2 = int(reference[-6:]), int(second.json()["reference"][-6:])
    assert n2 == n1 + 1


SCANNED: list[str] = []


def counting_scanner(upload):
    SCANNED.append(upload.name)


def test_each_file_is_scanned_once_per_submission(item, media, settings):
    """The submission is checked as a whole before anything is stored, and stored file by file: the virus
    scanner (ClamAV in production, slow) still sees each file once."""
    settings.UPLOAD_SCANNER = "tests.intake.test_api_applications.counting_scanner"
    SCANNED.clear()
    r = _post(
        citizen(),
        item,
        files={
            f"material_{item.m_license.pk}": ("执照.pdf", PDF),
            f"material_{item.m_site.pk}": ("site.png", PNG),
        },
    )
    assert r.status_code == 201, r.json()
    assert sorted(SCANNED) == ["site.png", "执照.pdf"]


def test_edit_of_the_item_after_submission_leaves_the_case_unchanged(item):
    r = _post(
        citizen(),
        item,
        files={f"material_{item.m_license.pk}": ("a.pdf", PDF), f"material_{item.m_site.pk}": ("b.pdf", PDF)},
    )
    app = Application.objects.get(reference=r.json()["reference"])
    item.promised_limit = 2
    item.statutory_limit = 10
    item.name = "改名后的事项"
    item.save()
    app.refresh_from_db()
    assert app.item_snapshot["promised_limit"] == 5 and app.item_snapshot["name"] == "食品经营许可"
    assert Case.objects.get(reference=app.reference).promised_limit == 5


@pytest.mark.parametrize(
    "kwargs,field",
    [
        ({"form": {"area": "80"}}, "shop_name"),
        ({"form": {"shop_name": "x", "area": "eighty"}}, "area"),
        ({"form": {"shop_name": "x", "area": "8", "category": "批发"}}, "category"),
        # issue 17: strict types, no negative area, no object stored as the text "{'a': 1}"
        ({"form": {"shop_name": "x", "area": "-80"}}, "area"),
        ({"form": {"shop_name": "x", "area": -1}}, "area"),
        ({"form": {"shop_name": "x", "area": True}}, "area"),
        ({"form": {"shop_name": "x", "area": {"a": 1}}}, "area"),
        ({"form": {"shop_name": {"a": 1}, "area": "8"}}, "shop_name"),
        ({"form": {"shop_name": ["x"], "area": "8"}}, "shop_name"),
        ({"form": {"shop_name": "x", "area": "8", "category": ["餐饮"]}}, "category"),
        ({"mode": "instant"}, "mode"),
        ({"mode": "commitment"}, "commitment_signed"),
    ],
)
def test_bad_input_is_400_with_field_messages_and_stores_nothing(item, media, kwargs, field):
    files = {f"material_{item.m_license.pk}": ("a.pdf", PDF), f"material_{item.m_site.pk}": ("b.pdf", PDF)}
    r = _post(citizen(), item, files=files, **kwargs)
    assert r.status_code == 400
    assert field in r.json(), r.json()
    assert Application.objects.count() == 0 and ApplicationMaterial.objects.count() == 0
    assert _files(media) == []
    assert not ReferenceCounter.objects.filter(last__gt=0).exists()


def test_missing_material_unless_deferred(item, media):
    r = _post(citizen(), item, files={f"material_{item.m_license.pk}": ("a.pdf", PDF)})
    assert r.status_code == 400 and f"material_{item.m_site.pk}" in r.json()
    assert _files(media) == [] and Application.objects.count() == 0
    r = _post(citizen(), item, mode="deferred", files={f"material_{item.m_license.pk}": ("a.pdf", PDF)})
    assert r.status_code == 201


@pytest.mark.parametrize(
    "name,content,message",
    [
        ("scan.pdf", b"MZ\x90\x00 this is an exe renamed", "文件类型不被接受"),
        ("empty.pdf", b"", "空文件"),
        ("../../etc/passwd.pdf", b"root:x:0:0", "文件类型不被接受"),
    ],
)
def test_uploads_checked_by_content(item, media, name, content, message):
    r = _post(
        citizen(),
        item,
        files={
            f"material_{item.m_license.pk}": (name, content),
            f"material_{item.m_site.pk}": ("b.pdf", PDF),
        },
    )
    assert r.status_code == 400
    assert message in r.json()[f"material_{item.m_license.pk}"][0]
    assert _files(media) == [] and Application.objects.count() == 0


def test_oversized_upload(item, media, settings):
    settings.UPLOAD_MAX_BYTES = 1024
    r = _post(
        citizen(),
        item,
        files={
            f"material_{item.m_license.pk}": ("big.pdf", PDF + b"0" * 2048),
            f"material_{item.m_site.pk}": ("b.pdf", PDF),
        },
    )
    assert r.status_code == 400 and "MB" in r.json()[f"material_{item.m_license.pk}"][0]
    assert _files(media) == []


def test_unknown_retired_items(item):
    r = _api(citizen()).post("/api/v1/applications/", {"item": "NOPE"}, format="json")
    assert r.status_code == 400 and "item" in r.json()
    item.status = "retired"
    item.save()
    r = _post(citizen(), item)
    assert r.status_code == 400 and "item" in r.json()


def test_staff_cannot_apply_and_visitors_need_login(item):
    from tests.factories import staff

    assert _post(staff("reviewer"), item).status_code == 403
    assert APIClient().post("/api/v1/applications/", {"item": item.code}).status_code in (401, 403)


def test_only_the_owner_reads_the_application(item):
    owner = citizen()
    r = _post(
        owner,
        item,
        files={f"material_{item.m_license.pk}": ("a.pdf", PDF), f"material_{item.m_site.pk}": ("b.pdf", PDF)},
    )
    ref = r.json()["reference"]
    assert _api(owner).get(f"/api/v1/applications/{ref}/").status_code == 200
    other = citizen(username="other", id_number="110101199003070011")
    assert _api(other).get(f"/api/v1/applications/{ref}/").status_code == 404


def test_draft_then_submit_via_service(item):
    from intake.services.applications import application_submit

    owner = citizen()
    r = _post(owner, item, submit="false", form={"shop_name": "x"})
    assert r.status_code == 201 and r.json()["reference"] is None and r.json()["status"] == "draft"
    app = Application.objects.get(pk=r.json()["id"])
    from portal.exceptions import ApplicationError

    with pytest.raises(ApplicationError) as exc:
        application_submit(application=app, actor=owner)
    assert "area" in exc.value.extra and f"material_{item.m_license.pk}" in exc.value.extra


def test_catalogue_api_search_in_chinese_and_detail(item, django_assert_max_num_queries):
    ItemFactory(code="ZJ-001", name="建筑工程施工许可")
    ItemFactory(code="X-9", name="草稿事项", status="draft")
    api = APIClient()
    names = [i["name"] for i in api.get("/api/v1/items/", {"q": "施工"}).json()["results"]]
    assert names == ["建筑工程施工许可"]
    assert api.get("/api/v1/items/X-9/").status_code == 404
    detail = api.get(f"/api/v1/items/{item.code}/").json()
    assert [m["name"] for m in detail["materials"]] == ["营业执照", "场地证明"]
    assert detail["statutory_limit"] == 20 and detail["promised_limit"] == 5
    with django_assert_max_num_queries(4):
        api.get("/api/v1/items/")
    for n in range(20):
        ItemFactory(code=f"MORE-{n}")
    with django_assert_max_num_queries(4):
        assert api.get("/api/v1/items/").json()["count"] == 22


def test_blank_forms_and_samples_download_from_the_item_page(item, client):
    from django.core.files.base import ContentFile

    item.m_license.blank_form.save("申请书.pdf", ContentFile(PDF))
    html = client.get(f"/items/{item.code}/").content.decode()
    url = f"/items/{item.code}/materials/{item.m_license.pk}/blank_form/"
    assert url in html
    response = client.get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"%PDF")
    assert client.get(f"/items/{item.code}/materials/{item.m_license.pk}/sample/").status_code == 404


@pytest.mark.parametrize("body", [[], [1, 2], "text", 3])
def test_a_body_that_is_not_an_object_is_400_not_500(item, body):
    r = _api(citizen()).post("/api/v1/applications/", body, format="json")
    assert r.status_code == 400


@pytest.mark.parametrize(
    "extra,field",
    [
        ({"id_number": "110105194912310021"}, "id_number"),  # wrong check digit
        ({"id_number": "12345"}, "id_number"),
        ({"id_number": "110101199003070011"}, "id_number"),  # valid, but not the account's own number
        ({"contact_phone": "12345"}, "contact_phone"),
    ],
)
def test_bad_id_number_or_phone_is_400_and_stores_nothing(item, media, extra, field):
    files = {f"material_{item.m_license.pk}": ("a.pdf", PDF), f"material_{item.m_site.pk}": ("b.pdf", PDF)}
    r = _post(citizen(), item, files=files, **extra)
    assert r.status_code == 400 and field in r.json(), r.json()
    assert (
        Application.objects.count() == 0 and ApplicationMaterial.objects.count() == 0 and _files(media) == []
    )


def test_an_id_number_is_kept_when_the_account_has_none(item):
    applicant = citizen(id_number="")
    files = {f"material_{item.m_license.pk}": ("a.pdf", PDF), f"material_{item.m_site.pk}": ("b.pdf", PDF)}
    r = _post(applicant, item, files=files, id_number="11010519491231002x")
    assert r.status_code == 201, r.json()
    assert Application.objects.get().applicant_id_number == "11010519491231002X"


def test_unknown_material_key_is_400(item, media):
    r = _post(citizen(), item, files={"material_99999": ("a.pdf", PDF)})
    assert r.status_code == 400 and "material_99999" in r.json()
    assert _files(media) == [] and Application.objects.count() == 0


def test_the_answer_is_what_reading_the_application_back_gives(item, media):
    """Issue 19, fourth pass: the answer is built from the rows just written (no re-read): the same fields,
    order and values as reading the application back, also with two files (listed in the same order)."""
    applicant = citizen()
    r = _post(
        applicant,
        item,
        files={
            f"material_{item.m_site.pk}": ("site.png", PNG),
            f"material_{item.m_license.pk}": ("执照.pdf", PDF),
        },
    )
    assert r.status_code == 201, r.json()
    answer = r.json()
    again = _api(applicant).get(f"/api/v1/applications/{answer['reference']}/")
    assert again.status_code == 200
    # the same values (form_data's keys come in the form's order here, in jsonb's order when read back
    # from PostgreSQL: that was so before too)
    assert answer == again.json()
    assert list(answer) == [
        "id",
        "reference",
        "status",
        "item_code",
        "item_name",
        "mode",
        "channel",
        "form_data",
        "commitment_signed",
        "delivery_method",
        "delivery_address",
        "submitted_at",
        "created_at",
        "materials",
    ]
    assert [m["material_name"] for m in answer["materials"]] == ["场地证明", "营业执照"]
    draft = _post(applicant, item, submit="false", files={f"material_{item.m_license.pk}": ("a.pdf", PDF)})
    assert draft.status_code == 201, draft.json()
    assert draft.json() == _api(applicant).get(f"/api/v1/applications/{draft.json()['id']}/").json()


def _drf_twin():
    """ApplicationOutputSerializer as DRF alone would serialise it: the same declared fields and Meta,
    without portal.api.PlainRowsMixin (for the materials too)."""
    from rest_framework import serializers

    from intake.apis.applications import ApplicationMaterialSerializer, ApplicationOutputSerializer

    materials = type(
        "DrfMaterials",
        (serializers.Serializer,),
        copy.deepcopy(ApplicationMaterialSerializer._declared_fields),
    )
    declared = copy.deepcopy(ApplicationOutputSerializer._declared_fields)
    declared["materials"] = materials(many=True)
    return type(
        "DrfOutput", (serializers.ModelSerializer,), {**declared, "Meta": ApplicationOutputSerializer.Meta}
    )


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_answer_is_byte_for_byte_what_drf_renders(item, media, language):
    """Issue 19, seventh pass: the answer's rows come from portal.api.PlainRowsMixin, not DRF's field
    machinery: the same bytes as DRF's own serialiser gives, for a submission with two files and for a
    draft (no reference, no submission time), in both languages."""
    from intake.apis.applications import ApplicationOutputSerializer

    applicant = citizen()
    submitted = _post(
        applicant,
        item,
        files={
            f"material_{item.m_site.pk}": ("site.png", PNG),
            f"material_{item.m_license.pk}": ("执照.pdf", PDF),
        },
    )
    draft = _post(applicant, item, submit="false", files={f"material_{item.m_license.pk}": ("a.pdf", PDF)})
    assert submitted.status_code == 201 and draft.status_code == 201
    twin = _drf_twin()
    for key in (submitted.json()["reference"], str(draft.json()["id"])):
        r = _api(applicant).get(f"/api/v1/applications/{key}/", HTTP_ACCEPT_LANGUAGE=language)
        assert r.status_code == 200
        application = (
            Application.objects.select_related("item").prefetch_related("materials").get(pk=r.json()["id"])
        )
        with translation.override(language):
            drf = twin(application).data
        assert ApplicationOutputSerializer._plain_plan  # the plain path served the answer
        assert r.content == r.accepted_renderer.render(drf, r.accepted_media_type, r.renderer_context)
    assert r.json()["submitted_at"] is None and r.json()["reference"] is None
    assert len(submitted.json()["materials"]) == 2


def test_a_process_reuses_one_definition_per_version_and_no_submission_changes_it(item, media):
    """Issue 19, seventh pass: this process keeps the definition it unpickled for the catalogue version
    (intake.cache.item_definition) and hands the same object to every submission: so none may set anything
    on it or on its rows (the whole object pickles to the same bytes after submissions and a draft)."""
    from intake.cache import item_definition

    files = {f"material_{item.m_license.pk}": ("a.pdf", PDF), f"material_{item.m_site.pk}": ("b.pdf", PDF)}
    assert _post(citizen(), item, files=files).status_code == 201
    shared = item_definition(item.code)
    before = pickle.dumps(shared)
    assert _post(citizen(), item, files=files).status_code == 201
    assert _post(citizen(), item, submit="false", files=files).status_code == 201
    assert item_definition(item.code) is shared
    assert pickle.dumps(shared) == before
    item.save()  # any edit: a new version, a new definition
    assert item_definition(item.code) is not shared


@pytest.mark.parametrize("languages", [("en", "zh-hans"), ("zh-hans", "en")])
def test_input_messages_are_drfs_in_each_requests_language(item, media, languages):
    """Issue 19, seventh pass: the input serializer's fields are bound once per process
    (portal.api.FieldsBoundOnceMixin), not copied per request: each request still gets DRF's messages, in
    its own language, and the values of the one before it are not in them."""
    from rest_framework import serializers

    from intake.apis.applications import ApplicationInputSerializer

    twin = type(
        "DrfInput", (serializers.Serializer,), copy.deepcopy(ApplicationInputSerializer._declared_fields)
    )
    bad = {"mode": "bogus", "delivery_method": "pigeon", "delivery_address": "路" * 201, "submit": "maybe"}
    for language in languages:
        r = _api(citizen()).post(
            "/api/v1/applications/",
            {"item": item.code, **bad},
            format="multipart",
            HTTP_ACCEPT_LANGUAGE=language,
        )
        assert r.status_code == 400
        with translation.override(language):
            fresh = twin(data={"item": item.code, **bad, "form_data": {}})
            assert not fresh.is_valid()
            expected = {k: [str(m) for m in v] for k, v in fresh.errors.items()}
        assert {k: r.json()[k] for k in expected} == expected
        assert set(expected) == {"mode", "delivery_method", "delivery_address", "submit"}
    good = _post(citizen(), item, submit="false")
    assert good.status_code == 201 and good.json()["mode"] == "promised"


def test_a_submission_checks_against_the_item_as_last_edited(item, media):
    """The item's definition comes from the catalogue cache (issue 19): an edit made after it was cached
    (a new required field, a new mandatory material, the item retired) holds for the very next submission."""
    files = {f"material_{item.m_license.pk}": ("a.pdf", PDF), f"material_{item.m_site.pk}": ("b.pdf", PDF)}
    assert _post(citizen(), item, files=files).status_code == 201  # cached now
    FormField.objects.create(item=item, key="owner", label="负责人", kind="text", required=True)
    r = _post(citizen(), item, files=files)
    assert r.status_code == 400 and "owner" in r.json()
    extra = MaterialFactory(item=item, name="健康证明", mandatory=True)
    form = {"shop_name": "青禾小馆", "area": "80", "category": "餐饮", "owner": "张三"}
    r = _post(citizen(), item, form=form, files=files)
    assert r.status_code == 400 and f"material_{extra.pk}" in r.json()
    r = _post(citizen(), item, form=form, files={**files, f"material_{extra.pk}": ("c.pdf", PDF)})
    assert r.status_code == 201, r.json()
    assert r.json()["item_name"] == "食品经营许可"
    item.name = "食品经营许可（新）"
    item.save()
    r = _post(citizen(), item, form=form, files={**files, f"material_{extra.pk}": ("d.pdf", PDF)})
    assert r.status_code == 201 and r.json()["item_name"] == "食品经营许可（新）"
    assert (
        Application.objects.get(reference=r.json()["reference"]).item_snapshot["name"] == "食品经营许可（新）"
    )
    item.status = "retired"
    item.save()
    r = _post(citizen(), item, form=form, files={**files, f"material_{extra.pk}": ("e.pdf", PDF)})
    assert r.status_code == 400 and "item" in r.json()

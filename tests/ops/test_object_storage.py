"""Shared-nothing uploads: with a bucket configured, materials go to S3-compatible object storage through
django-storages (portal/storage.py) and nothing lands on the node's disk; they still reach a reader only
through the permission-checked views. Against a real S3-protocol server: moto's standalone server on a
free local port, started by the fixture (no mock inside the process)."""

import json
import socket

import boto3
import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from intake.models import ApplicationMaterial
from portal.accounts.constants import Role
from portal.storage import s3_storage
from tests.factories import ItemFactory, MaterialFactory, citizen, staff
from tests.files import PDF, PNG  # real files: uploads are parsed and re-encoded since issue 17

BUCKET = "portal-materials"
KEYS = {"access_key": "portal-test", "secret_key": "portal-test-secret", "region": "us-east-1"}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def moto_server():
    from moto.server import ThreadedMotoServer

    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture
def s3(moto_server, settings, tmp_path):
    """The portal on a fresh private bucket; MEDIA_ROOT points at an empty directory that must stay so."""
    client = boto3.client(
        "s3",
        endpoint_url=moto_server,
        aws_access_key_id=KEYS["access_key"],
        aws_secret_access_key=KEYS["secret_key"],
        region_name=KEYS["region"],
    )
    client.create_bucket(Bucket=BUCKET)
    settings.MEDIA_ROOT = tmp_path / "private"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": s3_storage(bucket=BUCKET, endpoint_url=moto_server, **KEYS),
    }
    yield client
    objects = client.list_objects_v2(Bucket=BUCKET).get("Contents", [])
    if objects:
        client.delete_objects(Bucket=BUCKET, Delete={"Objects": [{"Key": o["Key"]} for o in objects]})
    client.delete_bucket(Bucket=BUCKET)


def _keys(client) -> list[str]:
    return sorted(o["Key"] for o in client.list_objects_v2(Bucket=BUCKET).get("Contents", []))


def _on_disk(settings) -> list:
    root = settings.MEDIA_ROOT
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


@pytest.fixture
def item(db):
    item = ItemFactory(code="S3-001", name="食品经营许可")
    item.m_license = MaterialFactory(item=item, name="营业执照", mandatory=True)
    item.m_site = MaterialFactory(item=item, name="场地证明", mandatory=True)
    return item


def _submit(user, item, files):
    api = APIClient()
    api.force_authenticate(user)
    data = {"item": item.code, "form_data": json.dumps({})}
    for key, (name, content) in files.items():
        data[key] = SimpleUploadedFile(name, content)
    return api.post("/api/v1/applications/", data, format="multipart")


def test_an_application_s_files_go_to_the_bucket_and_the_clerk_downloads_them(s3, settings, item, client):
    applicant = citizen()
    response = _submit(
        applicant,
        item,
        {f"material_{item.m_license.pk}": ("执照.pdf", PDF), f"material_{item.m_site.pk}": ("site.png", PNG)},
    )
    assert response.status_code == 201, response.content
    rows = {row.material_id: row for row in ApplicationMaterial.objects.all()}
    assert len(rows) == 2
    assert _keys(s3) == sorted(row.file.name for row in rows.values())
    assert all(key.startswith("applications/") and "执照" not in key for key in _keys(s3))
    assert _on_disk(settings) == []  # nothing on this node's disk

    clerk = staff(Role.CLERK)
    client.force_login(clerk)
    for material in (item.m_license, item.m_site):
        download = client.get(f"/materials/{rows[material.pk].pk}/")
        assert download.status_code == 200
        # what was stored (a PDF as uploaded, an image re-encoded since issue 17) comes back byte for byte
        with rows[material.pk].file.open("rb") as stored:
            assert b"".join(download.streaming_content) == stored.read()
    assert b"".join(client.get(f"/materials/{rows[item.m_license.pk].pk}/").streaming_content) == PDF

    # the permission check still decides: another citizen and a visitor get nothing
    client.force_login(citizen(id_number="110105194912310010"))
    assert client.get(f"/materials/{rows[item.m_license.pk].pk}/").status_code == 404
    client.logout()
    assert client.get(f"/materials/{rows[item.m_license.pk].pk}/").status_code in (302, 404)


def test_a_blank_form_on_the_bucket_downloads_from_the_item_page(s3, settings, item, client):
    item.m_license.blank_form.save("申请书.pdf", ContentFile(PDF))
    assert _keys(s3) == [item.m_license.blank_form.name] and _on_disk(settings) == []
    url = f"/items/{item.code}/materials/{item.m_license.pk}/blank_form/"
    assert url in client.get(f"/items/{item.code}/").content.decode()  # the cached guide was refreshed
    response = client.get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF


def test_the_bucket_is_not_readable_without_credentials(s3, item):
    """Nothing is published: the object's plain URL (no signature) is refused by the server."""
    import urllib.error
    import urllib.parse
    import urllib.request

    item.m_license.blank_form.save("申请书.pdf", ContentFile(PDF))
    endpoint = s3.meta.endpoint_url
    with pytest.raises(urllib.error.HTTPError) as refused:
        name = urllib.parse.quote(item.m_license.blank_form.name)
        urllib.request.urlopen(f"{endpoint}/{BUCKET}/{name}", timeout=5)  # noqa: S310
    assert refused.value.code == 403

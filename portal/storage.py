"""Where uploaded materials are stored (settings.STORAGES["default"]; docs/scaling.md#uploaded-materials).

The local filesystem (MEDIA_ROOT) on the embedded default; S3-compatible object storage through
django-storages when a bucket is configured, so that web nodes share nothing. Either way the bucket or
directory is private: files reach a reader only through the permission-checked views, which stream them.
"""

from typing import Any


def s3_storage(
    *,
    bucket: str,
    endpoint_url: str | None,
    access_key: str | None,
    secret_key: str | None,
    region: str | None,
    addressing_style: str = "path",
) -> dict[str, Any]:
    """The STORAGES entry of django-storages' S3 backend for a private bucket."""
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": bucket,
            "endpoint_url": endpoint_url or None,
            "access_key": access_key or None,
            "secret_key": secret_key or None,
            "region_name": region or None,
            # MinIO and most on-premises S3 servers want path-style addresses (no bucket sub-domain)
            "addressing_style": addressing_style,
            "signature_version": "s3v4",
            "default_acl": None,  # the bucket's own policy: private
            "file_overwrite": False,  # never replace an object under a name already taken
            "querystring_auth": True,  # any URL the storage makes is signed ...
            "querystring_expire": 60,  # ... and short-lived (the views stream; they hand out no URL)
        },
    }

"""Where documents are stored, from the environment: Django's storage API either way.

- `STORAGE_BACKEND=local` (default): a folder, `MEDIA_ROOT`, outside the code.
- `STORAGE_BACKEND=s3`: an S3-compatible bucket through django-storages (`S3_*` variables,
  docs/DEPLOY.md). The bucket stays private: the pages that check the user's scope stream the
  file; a presigned URL, if ever handed out, lives `S3_URL_EXPIRE_SECONDS`.

tests/documents/test_object_storage.py runs this configuration against a local S3 server (moto).
"""

from typing import Any

from django.core.exceptions import ImproperlyConfigured

from config.settings.env import env_int, env_str


def default_storage_from_env() -> dict[str, Any]:
    backend = env_str("STORAGE_BACKEND", "local")
    if backend == "local":
        return {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    if backend != "s3":
        raise ImproperlyConfigured(f"STORAGE_BACKEND={backend!r}: expected local or s3.")
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env_str("S3_BUCKET"),
            "endpoint_url": env_str("S3_ENDPOINT_URL", "") or None,
            "region_name": env_str("S3_REGION", "") or None,
            "access_key": env_str("S3_ACCESS_KEY_ID", "") or None,
            "secret_key": env_str("S3_SECRET_ACCESS_KEY", "") or None,
            "location": env_str("S3_PREFIX", ""),
            "default_acl": None,
            "querystring_auth": True,
            "querystring_expire": env_int("S3_URL_EXPIRE_SECONDS", 60),
            "file_overwrite": False,
            "addressing_style": env_str("S3_ADDRESSING_STYLE", "path"),
        },
    }

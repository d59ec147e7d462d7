import pytest


@pytest.fixture(autouse=True)
def _media_and_fast_hashing(settings, tmp_path):
    """Uploaded files under a temporary folder; a fast hasher, so the fixture's users are cheap."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

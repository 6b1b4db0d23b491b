"""Test settings: production settings with plain HTTP and fast hashing; nothing else relaxed."""

import os
import tempfile
from pathlib import Path

from .settings import *  # noqa: F403
from .settings import VAR_DIR

TLS = False
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_ROOT = tempfile.mkdtemp(prefix="dangjian-test-media-", dir=os.environ.get("TMPDIR"))
VAR_DIR.mkdir(parents=True, exist_ok=True)
WHITENOISE_AUTOREFRESH = True
# A fixed audit key, so that subprocesses started by tests sign with the same one; each test gets its own
# checkpoint file (dangjian/conftest.py).
DANGJIAN_AUDIT_KEY = "test-audit-key-" + "k" * 32
DANGJIAN_AUDIT_CHECKPOINT = Path(tempfile.mkdtemp(prefix="dangjian-test-audit-")) / "audit-checkpoint.json"
# Tests open and close connections freely (live servers, subprocesses): keep none alive, so that the test
# database can always be dropped at the end of a PostgreSQL run.
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405

# The shared memo cache is the process's own in tests (cleared before each test: dangjian/conftest.py).
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "memo": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "memo"},
}

# A memoised computation that reads a table outside the topics it declared fails (dangjian/core/memo.py).
DANGJIAN_MEMO_CHECK = True

# Jobs run at once, in the request that queued them (dangjian/jobs/tests test the database queue's worker too).
DANGJIAN_JOBS_EAGER = True
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend", "QUEUES": ["default"]}}

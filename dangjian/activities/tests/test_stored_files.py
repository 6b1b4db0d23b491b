"""Attachments are core.files.StoredFile rows; the migration that made them so keeps old rows and fills their
SHA-256 from the stored file."""

from __future__ import annotations

import hashlib
import importlib

import pytest
from django.apps import apps
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from dangjian.activities.models import Attachment

from .factories import PNG, activity, png

pytestmark = pytest.mark.django_db
MIGRATION = importlib.import_module("dangjian.activities.migrations.0006_attachment_stored_file")


def test_new_attachment_keeps_digest_uploader_and_a_generated_name(cast, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    a = activity(cast["a"], attachments=[png()], actor=cast["admin_a"])
    att = a.attachments.get()
    assert att.sha256 == hashlib.sha256(PNG).hexdigest() and att.size == len(PNG)
    assert att.uploaded_by == cast["admin_a"] and not att.is_deleted
    assert att.file.name.startswith("activities/") and att.file.name.endswith(".png")
    assert att.original_name not in att.file.name


def test_migration_backfills_sha256_of_rows_stored_before(cast, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    a = activity(cast["a"])
    name = default_storage.save("activities/2025/01/old.png", ContentFile(PNG))
    kept = Attachment.objects.create(
        activity=a, file=name, original_name="旧照片.png", content_type="image/png", size=len(PNG)
    )
    lost = Attachment.objects.create(
        activity=a,
        file="activities/2025/01/gone.png",
        original_name="丢失.png",
        content_type="image/png",
        size=1,
    )
    assert kept.sha256 == lost.sha256 == ""
    MIGRATION.backfill_sha256(("activities", "attachment"))(apps, None)
    kept.refresh_from_db()
    lost.refresh_from_db()
    assert kept.sha256 == hashlib.sha256(PNG).hexdigest() and kept.file.name == name
    assert lost.sha256 == "" and lost.original_name == "丢失.png"  # a missing file leaves the row as it was

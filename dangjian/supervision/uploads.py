"""Supervision's uploads go through the one upload policy (dangjian.core.uploads); this module only names the
policies it uses and turns a refusal into the app's ServiceError. Files are stored under random names and served
only through views that check scope."""

from __future__ import annotations

from dangjian.core import uploads
from dangjian.core.actions import Refusal as ServiceError
from dangjian.core.uploads import Checked

MAX_FILES_PER_UPLOAD = 9
IMAGES = "photo"  # 检查照片
EVIDENCE = "attachment"  # 整改佐证材料


class UploadError(ServiceError):
    pass


def check_all(files: list, policy: str) -> list[Checked]:
    """Every file checked (size, type, whole structure) before any is stored; UploadError lists the bad ones."""
    try:
        return uploads.check_all(policy, files, MAX_FILES_PER_UPLOAD)
    except uploads.UploadRefused as exc:
        raise UploadError("；".join(exc.messages))

"""Which attachment types an activity record accepts; what a file is comes from dangjian.core.uploads. Pure."""

from __future__ import annotations

from dangjian.core.uploads import GIF, JPEG, PDF, PNG, WEBP, Kind

ACCEPTED: tuple[Kind, ...] = (JPEG, PNG, GIF, WEBP, PDF)
ACCEPTED_LABEL = "JPG、PNG、GIF、WEBP 图片或 PDF 文件"
MAX_FILES_PER_RECORD = 30

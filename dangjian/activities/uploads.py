"""Activity attachments follow the one upload policy 'attachment' (dangjian.core.uploads): images or PDF."""

from __future__ import annotations

POLICY = "attachment"
MAX_FILES_PER_RECORD = 30

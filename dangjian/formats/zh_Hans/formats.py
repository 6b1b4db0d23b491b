"""Date formats for zh-hans that override Django's (FORMAT_MODULE_PATH).

Django's zh_Hans puts "%Y/%m/%d" first in DATE_INPUT_FORMATS, and a form widget renders its initial value with
the first one: an <input type="date"> then receives "2026/12/02", which browsers reject as no date at all, so the
form shows an empty date and cannot be submitted with its default. ISO first; the other spellings still parse.
"""

DATE_INPUT_FORMATS = [
    "%Y-%m-%d",  # 2026-12-02: the only form an <input type="date"> accepts
    "%Y/%m/%d",
    "%Y年%m月%d日",
]
DATETIME_INPUT_FORMATS = [
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M",  # <input type="datetime-local">
    "%Y-%m-%d %H:%M",
    "%Y/%m/%d %H:%M",
    "%Y年%m月%d日 %H:%M",
]

"""公民身份号码 (GB 11643-1999): check digit ISO 7064 MOD 11-2, birth date, gender. Pure."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"


class IdNumberError(ValueError):
    """The message is Chinese and names the fix."""


@dataclass(frozen=True)
class IdNumber:
    number: str
    birth_date: date
    gender: str  # 男 / 女

    @property
    def masked(self) -> str:
        return mask_id_number(self.number)


def check_digit(first17: str) -> str:
    return CHECK_CHARS[sum(int(c) * w for c, w in zip(first17, WEIGHTS, strict=True)) % 11]


def parse_id_number(raw: object) -> IdNumber:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        raise IdNumberError("公民身份号码不能为空")
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        raise IdNumberError(
            "该单元格被 Excel 存成了数字，末尾几位已经丢失；请将该列设置为“文本”格式后重新填写"
        )
    text = str(raw).strip().replace(" ", "").upper()
    if len(text) != 18:
        raise IdNumberError(f"公民身份号码应为18位，这里是{len(text)}位；请核对后重填")
    if not text[:17].isdigit() or not (text[17].isdigit() or text[17] == "X"):
        raise IdNumberError("公民身份号码前17位应为数字、最后一位为数字或X；请核对后重填")
    try:
        birth = date(int(text[6:10]), int(text[10:12]), int(text[12:14]))
    except ValueError:
        raise IdNumberError("公民身份号码中的出生日期（第7–14位）不是有效日期；请核对后重填")
    expected = check_digit(text[:17])
    if text[17] != expected:
        raise IdNumberError("公民身份号码校验位不正确（GB 11643）；请核对号码是否抄错")
    gender = "男" if int(text[16]) % 2 == 1 else "女"
    return IdNumber(text, birth, gender)


def is_valid_id_number(raw: object) -> bool:
    try:
        parse_id_number(raw)
    except IdNumberError:
        return False
    return True


def mask_id_number(number: str) -> str:
    """4114**********123X — first four and last four shown."""
    if not number or len(number) < 8:
        return number or ""
    return number[:4] + "*" * (len(number) - 8) + number[-4:]


def mask_phone(phone: str) -> str:
    if not phone:
        return ""
    digits = phone.strip()
    if len(digits) <= 7:
        return digits[:1] + "*" * (len(digits) - 1)
    return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]


def make_id_number(area: str, birth: date, sequence: int) -> str:
    """Build a valid number (demo and test data): `sequence` 0–999 sets the gender by its parity."""
    first17 = f"{area}{birth:%Y%m%d}{sequence:03d}"
    return first17 + check_digit(first17)

"""Masking of personal data shown by default (PIPL): the full value needs a logged unmask."""
import re

_PHONE = re.compile(r"^(\+?86)?(\d{3})(\d{4})(\d{4})$")


def mask_phone(phone: str) -> str:
    """13812345678 → 138****5678; anything else keeps only its last 4 characters."""
    if not phone:
        return ""
    digits = re.sub(r"[\s-]", "", phone)
    m = _PHONE.match(digits)
    if m:
        return f"{m.group(2)}****{m.group(4)}"
    return "*" * max(len(digits) - 4, 0) + digits[-4:]


def mask_id_number(id_number: str) -> str:
    """18-digit 居民身份证号: keep the region's first 3 and the last 4 characters."""
    if not id_number:
        return ""
    if len(id_number) <= 7:
        return "*" * len(id_number)
    return id_number[:3] + "*" * (len(id_number) - 7) + id_number[-4:]


def mask_name(name: str) -> str:
    """张三丰 → 张**: the family name stays so staff can address the person politely."""
    if not name:
        return ""
    return name[0] + "*" * (len(name) - 1)

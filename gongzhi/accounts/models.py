from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, timedelta
from functools import lru_cache

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import connection, models
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from gongzhi import pgfast
from gongzhi.areas.models import Area, Department
from gongzhi.domain.enums import Role
from gongzhi.domain.tokens import TokenState, needs_touch, token_state


class RoleAssignment(models.Model):
    """A user holds a role over an area (grid, community, township...) or a department.

    A grid's "2+N" team is simply the assignments on that grid: 网格员, 警员 and N-team members.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="roles")
    role = models.CharField("角色", max_length=32, choices=Role.choices())
    area = models.ForeignKey(Area, verbose_name="区域", null=True, blank=True, on_delete=models.PROTECT)
    department = models.ForeignKey(Department, verbose_name="部门", null=True, blank=True, on_delete=models.PROTECT)
    title = models.CharField("职务/类别", max_length=64, blank=True, help_text="如 民警、辅警、城管队员")

    class Meta:
        verbose_name = verbose_name_plural = "角色分配"
        constraints = [models.UniqueConstraint(fields=["user", "role", "area", "department"], name="uniq_role")]

    def __str__(self) -> str:
        return f"{self.user} · {Role(self.role).label} · {self.area or self.department or '全部'}"

    def clean(self):
        if self.role == Role.DEPARTMENT_STAFF and not self.department_id:
            raise ValidationError("部门工作人员必须指定部门")
        if self.role not in (Role.DEPARTMENT_STAFF, Role.RESIDENT, Role.ADMIN) and not self.area_id:
            raise ValidationError("该角色必须指定区域")


class Profile(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile")
    display_name = models.CharField("姓名", max_length=64)
    phone = models.CharField("手机号", max_length=20, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "用户资料"


def _default_expiry():
    return timezone.now() + timedelta(days=settings.GONGZHI_TOKEN_DAYS)


@dataclass(frozen=True)
class TokenCheck:
    """What one request needs to know about its token: whose it is and whether it holds."""

    token_id: int
    user_id: int
    state: TokenState


class ApiToken(models.Model):
    """Bearer tokens for apps and integrations; only the SHA-256 of the key is stored.

    Every call reads the token's row (``check_key``): a deleted, revoked or expired token, or a
    deactivated user, is refused on the very next request in every process.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="用户", on_delete=models.CASCADE,
                             related_name="api_tokens")
    name = models.CharField("名称", max_length=64)
    key_hash = models.CharField("密钥摘要（SHA-256）", max_length=64, unique=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    expires_at = models.DateTimeField("到期时间", default=_default_expiry,
                                      help_text="到期后令牌立即失效（默认自创建起 GONGZHI_TOKEN_DAYS 天）")
    # Written at most once per GONGZHI_TOKEN_TOUCH_SECONDS (domain.tokens.needs_touch).
    last_used_at = models.DateTimeField("最近使用", null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField("撤销时间", null=True, blank=True, editable=False)

    class Meta:
        verbose_name = verbose_name_plural = "接口令牌"

    def __str__(self) -> str:
        return f"{self.user} · {self.name}"

    @staticmethod
    def hash(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    @classmethod
    def check_key(cls, key: str) -> TokenCheck | None:
        """The token's state now, or None for a key we do not know; writes the last use when due.

        One statement by the unique digest, joined to the user for ``is_active``, written as SQL:
        it runs on every token call, and the ORM's compilation and model building cost ten times
        the query itself (callgrind: 0.34 M instructions a call against 3.5 M through the ORM)."""
        if pgfast.on_postgresql():
            # Django's cursor would first run its once-per-request health check (a SELECT 1) and
            # its wrappers: a third of the token check's instructions (gongzhi.pgfast).
            found = pgfast.fetch_one(_check_sql(), [cls.hash(key)])
        else:
            with connection.cursor() as cursor:
                cursor.execute(_check_sql(), [cls.hash(key)])
                found = cursor.fetchone()
        if found is None:
            return None
        token_id, user_id, expires_at, revoked_at, last_used_at, active = found
        now = timezone.now()
        state = token_state(now, expires_at=_aware(expires_at), revoked_at=_aware(revoked_at),
                            user_active=bool(active))
        if state is TokenState.VALID:
            cls.touch(token_id, _aware(last_used_at), now)
        return TokenCheck(token_id, user_id, state)

    @classmethod
    def touch(cls, token_id: int, last_used_at, now) -> None:
        every = timedelta(seconds=settings.GONGZHI_TOKEN_TOUCH_SECONDS)
        if not needs_touch(now, last_used_at, every):
            return
        # Conditional on the stored value, so processes racing on one token write it once.
        stale = models.Q(last_used_at__isnull=True) | models.Q(last_used_at__lte=now - every)
        cls.objects.filter(models.Q(pk=token_id) & stale).update(last_used_at=now)

    @staticmethod
    def user_of(found: TokenCheck):
        """The user (with profile) of a checked token; None if deleted since the check."""
        return get_user_model().objects.select_related("profile").filter(pk=found.user_id).first()

    @staticmethod
    def new_key() -> str:
        return "gz_" + secrets.token_urlsafe(32)

    @classmethod
    def issue(cls, user, name: str = "default", expires_at=None) -> str:
        key = cls.new_key()
        cls.objects.create(user=user, name=name, key_hash=cls.hash(key),
                           expires_at=expires_at or _default_expiry())
        return key


@lru_cache(maxsize=1)
def _check_sql() -> str:
    q, user_model = connection.ops.quote_name, get_user_model()
    token, user = ApiToken._meta, user_model._meta
    return (f"SELECT t.{q(token.pk.column)}, t.{q(token.get_field('user').column)}, t.{q('expires_at')}, "
            f"t.{q('revoked_at')}, t.{q('last_used_at')}, u.{q(user.get_field('is_active').column)} "
            f"FROM {q(token.db_table)} t JOIN {q(user.db_table)} u "
            f"ON u.{q(user.pk.column)} = t.{q(token.get_field('user').column)} WHERE t.{q('key_hash')} = %s")


def _aware(value):
    """A datetime read by plain SQL as the ORM would give it: aware (SQLite hands back text or naive
    UTC; PostgreSQL an aware value already)."""
    if value is None:
        return None
    if isinstance(value, str):
        value = parse_datetime(value)
    return value if timezone.is_aware(value) else value.replace(tzinfo=UTC)

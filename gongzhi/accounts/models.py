import hashlib
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from gongzhi.areas.models import Area, Department
from gongzhi.domain.enums import Role


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


class ApiToken(models.Model):
    """Bearer tokens for apps and integrations; only the SHA-256 of the key is stored."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=64)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "接口令牌"

    @staticmethod
    def hash(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    @classmethod
    def user_for(cls, key: str):
        """The active user a key belongs to, or None."""
        row = cls.objects.filter(key_hash=cls.hash(key)).select_related("user", "user__profile").first()
        return row.user if row is not None and row.user.is_active else None

    @classmethod
    def issue(cls, user, name: str = "default") -> str:
        key = "gz_" + secrets.token_urlsafe(32)
        cls.objects.create(user=user, name=name, key_hash=cls.hash(key))
        return key

from django.contrib.auth import get_user_model
from ninja.security import HttpBearer, SessionAuth

from gongzhi.accounts.models import ApiToken


class TokenAuth(HttpBearer):
    """``Authorization: Bearer gz_...`` for apps and integrations."""

    def authenticate(self, request, token):
        row = ApiToken.objects.filter(key_hash=ApiToken.hash(token)).select_related("user").first()
        if row is None or not row.user.is_active:
            return None
        request.user = row.user
        return row.user


AUTH = [TokenAuth(), SessionAuth()]
User = get_user_model()

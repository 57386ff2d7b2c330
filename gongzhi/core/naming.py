"""The name a timeline row stores for who acted, fixed when the row is written (domain.privacy shows
it per viewer; a deleted account does not bring a real name back)."""
from gongzhi.domain.privacy import SYSTEM_WORD


def actor_name(user) -> str:
    if user is None:
        return SYSTEM_WORD
    profile = getattr(user, "profile", None)
    return profile.display_name if profile else user.get_username()

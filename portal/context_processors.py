from django.http import HttpRequest


def portal(request: HttpRequest) -> dict:
    """Values every page needs: the user's unread inbox count (0 for visitors)."""
    user = getattr(request, "user", None)
    unread = 0
    if user is not None and user.is_authenticated:
        from portal.notifications.selectors import inbox_unread_count

        unread = inbox_unread_count(user=user)
    return {"inbox_unread": unread}

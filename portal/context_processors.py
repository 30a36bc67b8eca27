from django.http import HttpRequest


def portal(request: HttpRequest) -> dict:
    """Values every page needs: the user's unread inbox count (0 for visitors) and whether 长辈版 is on."""
    user = getattr(request, "user", None)
    unread = 0
    if user is not None and user.is_authenticated:
        from portal.notifications.selectors import inbox_unread_count

        unread = inbox_unread_count(user=user)
    from portal.accounts.views import elder_mode_on

    return {"inbox_unread": unread, "elder_mode": elder_mode_on(request)}

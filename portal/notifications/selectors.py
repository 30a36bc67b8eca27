from portal.accounts.models import User


def inbox_unread_count(*, user: User) -> int:
    # Placeholder until the notifications issue (#5) adds the inbox; replaced there.
    return 0

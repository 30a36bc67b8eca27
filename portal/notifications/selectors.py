from django.db.models import F, QuerySet

from portal.accounts.models import User

from .models import Notification


def inbox_unread_count(*, user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def inbox_list(*, user: User) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient=user).order_by(
        F("read_at").asc(nulls_first=True), "-created_at", "-id"
    )

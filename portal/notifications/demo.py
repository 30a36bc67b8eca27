"""Message templates admins can edit: one row per event, channel and language, from the built-in text."""

from typing import Any

from .catalog import DEFAULTS
from .constants import ChannelKind
from .models import MessageTemplate


def load(stdout: Any) -> None:
    created = 0
    for event, languages in DEFAULTS.items():
        for language, (subject, body) in languages.items():
            for channel in ChannelKind:
                _, was_created = MessageTemplate.objects.get_or_create(
                    event=event,
                    channel=channel,
                    language=language,
                    defaults={"subject": subject, "body": body},
                )
                created += was_created
    stdout.write(f"message templates: {created} created, {MessageTemplate.objects.count()} in all")

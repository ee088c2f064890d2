"""Who may be reminded, on which channel, and when a failed send is tried again."""

from __future__ import annotations

from datetime import timedelta

MAX_ATTEMPTS = 5
# The seed's contact methods; a phone number takes an SMS.
CHANNEL_OF = {"email": "email", "phone": "sms", "sms": "sms", "whatsapp": "whatsapp"}


def channel(preferred: str | None, wants_reminders: bool, has_device: bool) -> str | None:
    """The channel of a reminder, or None when the owner's preferences forbid it.

    An owner who said no to reminders gets none. One with the app (an active push device)
    is reminded there; otherwise on their preferred contact method (default e-mail)."""
    if not wants_reminders:
        return None
    if has_device:
        return "push"
    return CHANNEL_OF.get(preferred or "email", "email")


def backoff(attempts: int) -> timedelta:
    """Wait before the next try after `attempts` failures: 1, 2, 4, 8 ... minutes, at most an hour."""
    return timedelta(minutes=min(60, 2 ** max(0, attempts - 1)))

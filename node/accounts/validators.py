"""Password rules beyond Django's own (OWASP ASVS 4.0.3 §2.1)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import ngettext


class MaximumLengthValidator:
    """Refuse passwords longer than ``max_length`` characters (ASVS 2.1.2: 128).

    The bound keeps Argon2 hashing cost predictable; it is far above any
    passphrase a person types, so it does not weaken the policy.
    """

    def __init__(self, max_length: int = 128) -> None:
        self.max_length = max_length

    def validate(self, password: str, user: Any = None) -> None:
        if len(password) > self.max_length:
            raise ValidationError(self._message(), code="password_too_long",
                                  params={"max_length": self.max_length})

    def get_help_text(self) -> str:
        return self._message() % {"max_length": self.max_length}

    def _message(self) -> str:
        return ngettext(
            "Le mot de passe ne doit pas dépasser %(max_length)d caractère.",
            "Le mot de passe ne doit pas dépasser %(max_length)d caractères.",
            self.max_length,
        )

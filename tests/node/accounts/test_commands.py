"""The createuser and unlock management commands."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from rest_framework.test import APIClient

from node.accounts.models import User
from tests.node.personas import PASSWORD, login_response

pytestmark = pytest.mark.django_db


def _password_file(tmp_path: Path, password: str = PASSWORD) -> Path:
    path = tmp_path / "password"
    path.write_text(password + "\n", encoding="utf-8")
    return path


def test_createuser_prints_the_totp_uri_and_a_qr_code_and_the_user_logs_in(tmp_path) -> None:
    out = StringIO()
    call_command("createuser", "fatou.sall", role="admin",
                 password_file=_password_file(tmp_path), stdout=out)
    text = out.getvalue()
    assert "otpauth://totp/Systraite%20SN-TGI-DKR%3Afatou.sall" in text
    assert "█" in text
    user = User.objects.get(username="fatou.sall")
    assert user.role == "admin" and user.jurisdiction == "SN-TGI-DKR"
    assert login_response(APIClient(), user, user.totpdevice_set.get()).status_code == 200


def test_createuser_without_otp_creates_no_device(tmp_path) -> None:
    out = StringIO()
    call_command("createuser", "demo", role="clerk", no_otp=True,
                 password_file=_password_file(tmp_path), stdout=out)
    assert "otpauth" not in out.getvalue()
    assert not User.objects.get(username="demo").totpdevice_set.exists()


def test_createuser_refuses_a_weak_password(tmp_path) -> None:
    with pytest.raises(CommandError):
        call_command("createuser", "faible", role="judge",
                     password_file=_password_file(tmp_path, "court"), stdout=StringIO())
    assert not User.objects.filter(username="faible").exists()

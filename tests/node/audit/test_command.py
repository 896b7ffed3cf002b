"""``systraite-node audit-verify``: its message and its exit code."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from node.audit.models import AuditEntry

Append = Callable[..., AuditEntry]
Tamper = Callable[[str, list[Any]], None]


@pytest.mark.django_db
def test_an_intact_chain_is_reported(append: Append) -> None:
    for _ in range(3):
        append()
    out = StringIO()
    call_command("audit-verify", stdout=out)
    assert out.getvalue().startswith("chaîne intacte: 3 entrées\n")


@pytest.mark.django_db
def test_a_broken_chain_names_the_first_bad_entry(append: Append, tamper: Tamper) -> None:
    entries = [append() for _ in range(3)]
    tamper("UPDATE audit_auditentry SET action = 'delete' WHERE id = %s", [entries[1].id])
    with pytest.raises(CommandError, match=f"#{entries[1].id}") as raised:
        call_command("audit-verify")
    assert raised.value.returncode == 1


def _run_command() -> subprocess.CompletedProcess[str]:
    db = connection.settings_dict
    url = f"postgres://{db['USER']}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"
    script = Path(sys.executable).with_name("systraite-node")
    return subprocess.run(
        [str(script), "audit-verify"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**os.environ, "DATABASE_URL": url},
    )


@pytest.mark.django_db(transaction=True)
def test_the_command_exits_0_when_intact_and_1_when_broken(append: Append, tamper: Tamper) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("the command runs in another process, which needs a database server")
    entries = [append() for _ in range(4)]
    intact = _run_command()
    assert intact.returncode == 0, intact.stderr
    assert intact.stdout.splitlines()[0] == "chaîne intacte: 4 entrées"
    tamper("DELETE FROM audit_auditentry WHERE id = %s", [entries[2].id])
    broken = _run_command()
    assert broken.returncode == 1
    assert f"chaîne rompue à l'entrée #{entries[3].id}" in broken.stderr

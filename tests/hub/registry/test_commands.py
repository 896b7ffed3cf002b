"""The registry commands ops run (Ansible registers each node with register-node)."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from hub.registry.models import Node, NodeStatus
from shared.signing import generate_private_key, key_id, load_public_key, public_key_to_pem

pytestmark = pytest.mark.django_db


def _key_file(tmp_path: Path, name: str = "node.pub") -> Path:
    path = tmp_path / name
    path.write_bytes(public_key_to_pem(generate_private_key().public_key()))
    return path


def _run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO())
    return out.getvalue().strip()


def test_register_node_prints_the_node_id_derived_from_the_jurisdiction(tmp_path: Path) -> None:
    key = _key_file(tmp_path)
    assert _run("register-node", "--jurisdiction", "SN-TGI-KED", "--public-key", str(key)) == (
        "sn-tgi-ked"
    )
    node = Node.objects.get()
    assert (node.jurisdiction, node.status, node.last_sequence) == ("SN-TGI-KED", "active", 0)
    assert node.key_id == key_id(load_public_key(key.read_bytes()))


def test_registering_the_same_key_again_changes_nothing(tmp_path: Path) -> None:
    key = _key_file(tmp_path)
    args = ("register-node", "--jurisdiction", "SN-TGI-KED", "--public-key", str(key))
    _run(*args)
    before = list(Node.objects.values())
    assert _run(*args) == "sn-tgi-ked"
    assert list(Node.objects.values()) == before


def test_a_new_key_replaces_the_old_one_only_with_rotate(tmp_path: Path) -> None:
    _run("register-node", "--jurisdiction", "SN-TGI-KED", "--public-key", str(_key_file(tmp_path)))
    old = Node.objects.get().key_id
    new = _key_file(tmp_path, "new.pub")
    with pytest.raises(CommandError, match="--rotate"):
        _run("register-node", "--jurisdiction", "SN-TGI-KED", "--public-key", str(new))
    assert Node.objects.get().key_id == old
    _run("register-node", "--jurisdiction", "SN-TGI-KED", "--public-key", str(new), "--rotate")
    assert Node.objects.get().key_id != old


def test_a_jurisdiction_has_one_active_node(tmp_path: Path) -> None:
    key = str(_key_file(tmp_path))
    _run("register-node", "--jurisdiction", "SN-TGI-KED", "--public-key", key)
    with pytest.raises(CommandError, match="already has an active node"):
        _run(
            "register-node",
            "--jurisdiction",
            "SN-TGI-KED",
            "--public-key",
            key,
            "--node-id",
            "ked-2",
        )
    _run("suspend-node", "sn-tgi-ked")
    assert (
        _run(
            "register-node",
            "--jurisdiction",
            "SN-TGI-KED",
            "--public-key",
            key,
            "--node-id",
            "ked-2",
        )
        == "ked-2"
    )
    with pytest.raises(CommandError, match="already has an active node"):
        _run("reactivate-node", "sn-tgi-ked")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--jurisdiction", "SN-CA-DKR"), "not a tribunal de grande instance"),
        (("--jurisdiction", "SN-TGI-KED", "--node-id", "Bad Id"), "does not match"),
    ],
)
def test_register_node_refuses_bad_input(
    tmp_path: Path, args: tuple[str, ...], message: str
) -> None:
    with pytest.raises(CommandError, match=message):
        _run("register-node", *args, "--public-key", str(_key_file(tmp_path)))
    assert not Node.objects.exists()


def test_register_node_refuses_a_file_that_is_not_a_public_key(tmp_path: Path) -> None:
    bad = tmp_path / "bad.pub"
    bad.write_text("hello")
    with pytest.raises(CommandError, match="public key"):
        _run("register-node", "--jurisdiction", "SN-TGI-KED", "--public-key", str(bad))


def test_suspend_and_reactivate_a_node(tmp_path: Path) -> None:
    _run("register-node", "--jurisdiction", "SN-TGI-KED", "--public-key", str(_key_file(tmp_path)))
    _run("suspend-node", "sn-tgi-ked")
    assert Node.objects.get().status == NodeStatus.SUSPENDED
    _run("reactivate-node", "sn-tgi-ked")
    assert Node.objects.get().status == NodeStatus.ACTIVE
    with pytest.raises(CommandError, match="no node"):
        _run("suspend-node", "sn-nobody")


def test_list_nodes_shows_each_node_and_its_freshness(tmp_path: Path) -> None:
    _run("register-node", "--jurisdiction", "SN-TGI-KED", "--public-key", str(_key_file(tmp_path)))
    _run("register-node", "--jurisdiction", "SN-TGI-STL", "--public-key", str(_key_file(tmp_path)))
    _run("suspend-node", "sn-tgi-stl")
    lines = _run("list-nodes").splitlines()
    assert lines[0].split()[:3] == ["node", "jurisdiction", "status"]
    assert lines[1].split() == ["sn-tgi-ked", "SN-TGI-KED", "active", "0", "never"]
    assert lines[2].split() == ["sn-tgi-stl", "SN-TGI-STL", "suspended", "0", "never"]

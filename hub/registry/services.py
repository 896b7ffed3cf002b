"""Writes of the node registry: register, rotate a key, suspend, reactivate.

Registration is idempotent (ops run it from every Ansible play): the same key
again changes nothing; another key replaces the registered one only when the
caller says ``rotate``, so a typo cannot silently lock a node out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from django.db import transaction

from hub.registry.models import NODE_ID_PATTERN, Node, NodeStatus
from shared.codes import code_list
from shared.signing import key_id, load_public_key, public_key_to_pem


class RegistryError(ValueError):
    """A registry change that cannot be made; the message says why."""


class Registration(StrEnum):
    CREATED = "created"
    UNCHANGED = "unchanged"
    ROTATED = "rotated"


@dataclass(frozen=True)
class RegisterResult:
    node: Node
    change: Registration


def _check_jurisdiction(code: str) -> None:
    courts = code_list("court")
    if code not in courts or courts.get(code).attrs.get("kind") != "tgi":
        raise RegistryError(f"{code!r} is not a tribunal de grande instance")


def _normalised_pem(public_key_pem: bytes) -> tuple[str, str]:
    """The key in one canonical PEM spelling, and its key id."""
    try:
        key = load_public_key(public_key_pem)
    except ValueError as exc:
        raise RegistryError(str(exc)) from None
    return public_key_to_pem(key).decode("ascii"), key_id(key)


def node_register(
    *, jurisdiction: str, public_key_pem: bytes, node_id: str | None = None, rotate: bool = False
) -> RegisterResult:
    """Register a node, or confirm it, or (with ``rotate``) replace its key."""
    _check_jurisdiction(jurisdiction)
    node_id = node_id or jurisdiction.lower()
    if not re.fullmatch(NODE_ID_PATTERN, node_id):
        raise RegistryError(f"node id {node_id!r} does not match {NODE_ID_PATTERN}")
    pem, kid = _normalised_pem(public_key_pem)
    with transaction.atomic():
        node = Node.objects.select_for_update().filter(node_id=node_id).first()
        if node is None:
            return RegisterResult(_create(node_id, jurisdiction, pem, kid), Registration.CREATED)
        return RegisterResult(node, _confirm_or_rotate(node, jurisdiction, pem, kid, rotate))


def _create(node_id: str, jurisdiction: str, pem: str, kid: str) -> Node:
    _check_no_other_active(jurisdiction, node_id)
    return Node.objects.create(
        node_id=node_id, jurisdiction=jurisdiction, public_key_pem=pem, key_id=kid
    )


def _confirm_or_rotate(
    node: Node, jurisdiction: str, pem: str, kid: str, rotate: bool
) -> Registration:
    if node.jurisdiction != jurisdiction:
        raise RegistryError(
            f"node {node.node_id} is registered for {node.jurisdiction}, not {jurisdiction}"
        )
    if node.key_id == kid:
        return Registration.UNCHANGED
    if not rotate:
        raise RegistryError(
            f"node {node.node_id} is registered with another key ({node.key_id}); "
            "pass --rotate to replace it"
        )
    node.public_key_pem, node.key_id = pem, kid
    node.save(update_fields=["public_key_pem", "key_id"])
    return Registration.ROTATED


def _check_no_other_active(jurisdiction: str, node_id: str) -> None:
    active = Node.objects.filter(jurisdiction=jurisdiction, status=NodeStatus.ACTIVE)
    other = active.exclude(node_id=node_id).first()
    if other is not None:
        raise RegistryError(f"{jurisdiction} already has an active node: {other.node_id}")


def _set_status(node_id: str, status: NodeStatus) -> Node:
    with transaction.atomic():
        node = Node.objects.select_for_update().filter(node_id=node_id).first()
        if node is None:
            raise RegistryError(f"no node {node_id!r}")
        if status == NodeStatus.ACTIVE:
            _check_no_other_active(node.jurisdiction, node_id)
        node.status = status
        node.save(update_fields=["status"])
        return node


def node_suspend(*, node_id: str) -> Node:
    """Refuse the node's submissions from now on (its data stays); idempotent."""
    return _set_status(node_id, NodeStatus.SUSPENDED)


def node_reactivate(*, node_id: str) -> Node:
    """Accept the node's submissions again; idempotent."""
    return _set_status(node_id, NodeStatus.ACTIVE)

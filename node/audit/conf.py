"""The audit app's one setting, parsed strictly (start-up fails on a bad value)."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from functools import lru_cache

from shared.env import ConfigError

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def trusted_proxies(values: Iterable[str]) -> tuple[Network, ...]:
    """``SYSTRAITE_TRUSTED_PROXIES`` as networks (a bare address is a /32 or /128)."""
    return _parse(tuple(values))


@lru_cache(maxsize=8)
def _parse(values: tuple[str, ...]) -> tuple[Network, ...]:
    networks = []
    for value in values:
        try:
            networks.append(ipaddress.ip_network(value, strict=False))
        except ValueError as exc:
            raise ConfigError(
                f"SYSTRAITE_TRUSTED_PROXIES contains {value!r}: expected an IP address "
                "or a network such as 10.0.0.0/8"
            ) from exc
    return tuple(networks)

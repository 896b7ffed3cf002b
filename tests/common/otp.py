"""A TOTP code a device accepts now, for tests that log in, on the node or the hub."""

from __future__ import annotations

import time

from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice


def totp_token(device: TOTPDevice) -> str:
    """A code the device accepts now, one step ahead if the current one was used.

    django-otp refuses a code whose step is not after ``last_t`` (replay
    protection) and accepts one step either side of ``now + drift``; on success
    it keeps the step it matched as the device's new drift (OTP_TOTP_SYNC). So
    the code is for the step ``max(now + drift, last_t + 1)``, at most one step
    ahead. (Adding one step to the drift, as this helper once did, fails when
    the previous log-in straddled a step boundary and left a drift of -1: the
    code was then the step already used.)
    """
    device.refresh_from_db()
    now_t = int((time.time() - device.t0) // device.step)
    step = max(now_t + device.drift, device.last_t + 1)
    token = totp(device.bin_key, device.step, device.t0, device.digits, step - now_t)
    return f"{token:0{device.digits}d}"

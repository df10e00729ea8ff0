"""Host names the dashboard answers for: ``[serve] allowed_hosts`` and IP literals."""

from __future__ import annotations

import ipaddress


def allowed_hosts(value: object) -> tuple[str, ...]:
    """``[serve] allowed_hosts`` checked: host names without scheme or port, ``.suffix``, ``*``.

    Raises :class:`ValueError` with a message for the config error.
    """
    if value is None:
        return ()
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        raise ValueError("allowed_hosts must be a list of host names")
    names = tuple(str(v).strip().lower() for v in value)
    for name in names:
        if name.strip(".") == "" or (
            any(c in name for c in "/@: ") and not is_ip(name.strip("[]"))
        ):
            raise ValueError(f"allowed_hosts: {name!r} is not a host name (no scheme or port)")
    return names


def is_ip(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True

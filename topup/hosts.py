"""Host names the dashboard answers for: ``[serve] allowed_hosts`` and IP literals."""

from __future__ import annotations

import ipaddress

from topup.i18n import gettext as _


def allowed_hosts(value: object) -> tuple[str, ...]:
    """``[serve] allowed_hosts`` checked: host names without scheme or port, ``.suffix``, ``*``.

    Raises :class:`ValueError` with a message for the config error.
    """
    if value is None:
        return ()
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        raise ValueError(_("{key} must be a list of host names").format(key="allowed_hosts"))
    names = tuple(str(v).strip().lower() for v in value)
    for name in names:
        if name.strip(".") == "" or (
            any(c in name for c in "/@: ") and not is_ip(name.strip("[]"))
        ):
            raise ValueError(
                _("{key}: {name} is not a host name (no scheme or port)").format(
                    key="allowed_hosts", name=repr(name)
                )
            )
    return names


def is_ip(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True

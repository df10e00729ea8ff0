"""Which platform a bare key belongs to: from its shape and its base URL, where unambiguous.

The rules are data, in one table each, and name platforms by their home host (the host of the
platform's ``default_base_url``), never by registry name, so a rule whose platform is not
installed matches nothing and no module outside a platform's folder names a platform:

* a key that starts with one of a platform's ``key_prefixes`` (declared on its
  :class:`~topup.platforms.Provider`, e.g. ``("sk-or-",)``) belongs to that platform;
* a base URL whose host is a platform's home host is that platform's;
* a base URL on any other host with a key starting with one of :data:`RELAY_PREFIXES` (``sk-``)
  belongs to a relay: the platform that has no home host (every account gives its own
  ``base_url``), when exactly one such platform takes a bare key.

Everything else is ambiguous, with the reason and the platforms it could be.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from urllib.parse import urlsplit

from topup.i18n import gettext as _
from topup.platforms import Provider, all_providers, registry_key

#: Key prefixes that, on a host no platform calls home, mean a relay (new-api / one-api).
RELAY_PREFIXES: tuple[str, ...] = ("sk-",)
#: The credential field a bare key fills when a platform offers several single-field modes.
PREFERRED_FIELD = "api_key"


@dataclass(frozen=True, slots=True)
class Detection:
    """A platform (``provider``), or why none could be chosen (``reason``)."""

    provider: str | None = None
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class Rules:
    """The detection tables resolved against the installed platforms."""

    #: (prefix, platform), longest prefix first.
    prefixes: tuple[tuple[str, str], ...]
    #: home host -> platforms.
    hosts: Mapping[str, tuple[str, ...]]
    #: Platforms with no home host that a bare key can be checked on.
    relays: tuple[str, ...]
    #: Every platform a bare key can be checked on.
    bare: tuple[str, ...]

    def detect(self, key: str, base_url: str | None) -> Detection:
        by_prefix, prefix = self._by_prefix(key)
        host = _host(base_url) if base_url else ""
        by_host = self.hosts.get(host, ()) if host else ()
        if by_host:
            both = tuple(p for p in by_host if p in by_prefix) if by_prefix else by_host
            if by_prefix and not both:
                return Detection(
                    reason=f"the key looks like {_any(by_prefix)}'s ({prefix}...) but the base "
                    f"URL is {_any(by_host)}'s; pass --provider"
                )
            return _one(both, f"the base URL's host {host} is home to")
        if by_prefix:
            return _one(by_prefix, f"keys starting with {prefix} are issued by")
        if base_url and not host:
            return Detection(reason="the base URL has no host: give an http(s) URL")
        if not host:
            return Detection(
                reason="the key's shape names no platform and there is no base URL: it could "
                f"be {_any(tuple(p for p in self.bare if p not in self.relays))}; pass "
                "--provider (or a base_url)"
            )
        if key.startswith(RELAY_PREFIXES) and len(self.relays) == 1:
            return Detection(provider=self.relays[0])
        could = _any(self.relays) if self.relays else "any platform's mirror"
        return Detection(
            reason=f"{host} is no known platform's home and the key's shape names none: it "
            f"could be {could}; pass --provider"
        )

    def _by_prefix(self, key: str) -> tuple[tuple[str, ...], str]:
        for prefix, _platform in self.prefixes:
            if key.startswith(prefix):  # the longest matching prefix decides
                return tuple(p for pre, p in self.prefixes if pre == prefix), prefix
        return (), ""


def key_field(provider: type[Provider]) -> str | None:
    """The credential field a bare key fills on ``provider`` (None: it needs more than a key)."""
    secret = provider.secret_field_names()
    singles = sorted(
        field for mode in provider.modes if len(mode) == 1 for field in mode if field in secret
    )
    if not provider.modes and len(secret) == 1:
        singles = sorted(secret)
    if PREFERRED_FIELD in singles:
        return PREFERRED_FIELD
    return singles[0] if len(set(singles)) == 1 else None


def needs_more(provider: type[Provider]) -> str:
    """Why a bare key cannot be checked on ``provider``."""
    modes = " or ".join(" + ".join(sorted(m)) for m in provider.modes) or _("several fields")
    return _(
        "provider {name} needs {modes}: a bare key cannot be checked on it "
        "(give it an [[accounts]] table in a config file)"
    ).format(name=repr(provider.name), modes=modes)


def build_rules(providers: Mapping[str, type[Provider]]) -> Rules:
    """The rules for ``providers``: their own ``key_prefixes`` and home hosts."""
    bare = tuple(sorted(n for n, p in providers.items() if key_field(p) is not None))
    hosts: dict[str, list[str]] = {}
    for name in bare:
        home = providers[name].default_base_url
        if home:
            hosts.setdefault(_host(home), []).append(name)
    prefixes = [(pre, name) for name in bare for pre in providers[name].key_prefixes]
    return Rules(
        prefixes=tuple(sorted(prefixes, key=lambda r: -len(r[0]))),
        hosts={h: tuple(names) for h, names in hosts.items()},
        relays=tuple(n for n in bare if providers[n].default_base_url is None),
        bare=bare,
    )


def rules() -> Rules:
    """The rules for the platforms installed now."""
    return _rules(registry_key())


@cache
def _rules(_key: tuple[str, ...]) -> Rules:
    return build_rules(all_providers())


def _host(url: str) -> str:
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""


def _any(names: tuple[str, ...]) -> str:
    return names[0] if len(names) == 1 else f"any of {', '.join(names)}"


def _one(names: tuple[str, ...], what: str) -> Detection:
    if len(names) == 1:
        return Detection(provider=names[0])
    return Detection(reason=f"{what} {', '.join(names)}: pass --provider to choose")

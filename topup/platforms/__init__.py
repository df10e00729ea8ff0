"""The platform registry.

A platform is one folder here (``topup/platforms/<name>/``): ``client.py`` (the sans-I/O
adapter, a :class:`Provider`), ``cases.py`` (its recorded answers), ``imitation.py`` (what the
sandbox serves for it) and ``demo.py`` (its demo accounts). Adding one = that folder + one line in
``_BUILTIN``. Third-party platforms are found through the ``topup.providers``
entry-point group (``name = "package.module:ProviderClass"``). :func:`register` adds one at run
time (tests, plugins loaded by hand).
"""

from __future__ import annotations

import logging
from functools import cache
from importlib.metadata import entry_points

from topup.platforms.base import Case, CheckFlow, CredentialField, Exchange, Provider, Staged

__all__ = [
    "Case",
    "CheckFlow",
    "CredentialField",
    "Exchange",
    "Provider",
    "Staged",
    "all_providers",
    "get_provider",
    "register",
    "registry_key",
    "unregister",
]

ENTRY_POINT_GROUP = "topup.providers"
log = logging.getLogger("topup.platforms")

_BUILTIN = {
    "siliconflow": "topup.platforms.siliconflow.client:SiliconFlow",
    "newapi": "topup.platforms.newapi.client:NewAPI",
    "aihubmix": "topup.platforms.aihubmix.client:AIHubMix",
    "deepseek": "topup.platforms.deepseek.client:DeepSeek",
    "moonshot": "topup.platforms.moonshot.client:Moonshot",
    "stepfun": "topup.platforms.stepfun.client:StepFun",
    "novita": "topup.platforms.novita.client:Novita",
    "ppio": "topup.platforms.ppio.client:PPIO",
    "openrouter": "topup.platforms.openrouter.client:OpenRouter",
    "vercel": "topup.platforms.vercel.client:Vercel",
    "zenmux": "topup.platforms.zenmux.client:ZenMux",
    "venice": "topup.platforms.venice.client:Venice",
    "302ai": "topup.platforms.ai302.client:AI302",
    "xai": "topup.platforms.xai.client:XAI",
    "ohmygpt": "topup.platforms.ohmygpt.client:OhMyGPT",
    "aiproxy": "topup.platforms.aiproxy.client:AIProxy",
    "poe": "topup.platforms.poe.client:Poe",
    "deepinfra": "topup.platforms.deepinfra.client:DeepInfra",
    "zhipu-payg": "topup.platforms.zhipu_payg.client:ZhipuPayg",
    "kimi-code": "topup.platforms.kimi_code.client:KimiCode",
    "zhipu": "topup.platforms.zhipu.client:Zhipu",
    "minimax": "topup.platforms.minimax.client:MiniMax",
}

_registered: dict[str, type[Provider]] = {}


def register(provider: type[Provider]) -> type[Provider]:
    """Add a platform (usable as a class decorator)."""
    _registered[provider.name] = provider
    return provider


def unregister(name: str) -> None:
    """Forget a platform added with :func:`register` (tests)."""
    _registered.pop(name, None)


def registry_key() -> tuple[str, ...]:
    """Changes whenever the set of platforms does (for caches built from it)."""
    return tuple(all_providers())


def _load(spec: str) -> type[Provider]:
    module_name, _, attr = spec.partition(":")
    module = __import__(module_name, fromlist=[attr])
    provider = getattr(module, attr)
    if not (isinstance(provider, type) and issubclass(provider, Provider)):
        raise TypeError(f"{spec} is not a topup Provider")
    return provider


@cache
def _discovered() -> dict[str, type[Provider]]:
    found: dict[str, type[Provider]] = {name: _load(spec) for name, spec in _BUILTIN.items()}
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        if ep.name in found:
            continue
        try:
            provider = ep.load()
        except Exception as exc:  # a broken plugin must not break topup
            log.warning("platform plugin %s could not be loaded: %s", ep.name, exc)
            continue
        if isinstance(provider, type) and issubclass(provider, Provider):
            found[ep.name] = provider
    return found


def all_providers() -> dict[str, type[Provider]]:
    return {**_discovered(), **_registered}


def get_provider(name: str) -> type[Provider] | None:
    return all_providers().get(name)

"""A bare key's platform is told from its shape and base URL only where that is unambiguous."""

from __future__ import annotations

from typing import ClassVar

import pytest

from topup.account import Account
from topup.keys.detect import build_rules, key_field, rules
from topup.platforms import CredentialField, Provider
from topup.platforms.base import CheckFlow


class Toy(Provider):
    name = "toy"
    title = "Toy"
    fields: ClassVar[tuple[CredentialField, ...]] = (CredentialField("api_key", "key"),)
    modes: ClassVar[tuple[frozenset[str], ...]] = (frozenset({"api_key"}),)

    def check(self, account: Account) -> CheckFlow:
        raise NotImplementedError
        yield


def toy(name: str, base: str | None, **attrs: object) -> type[Provider]:
    return type(name, (Toy,), {"name": name, "default_base_url": base, **attrs})


REGISTRY = {
    p.name: p
    for p in (
        toy("router", "https://openrouter.ai/api", key_prefixes=("sk-or-",)),
        toy("gateway", "https://ai-gateway.vercel.sh", key_prefixes=("vck_",)),
        toy("flow", "https://api.siliconflow.com"),
        toy("flow-mirror", "https://api.siliconflow.com/v2"),
        toy("novel", "https://api.novel.example", key_prefixes=("nv_",)),
        toy("relay", None),
        toy(
            "team",
            "https://team.example",
            fields=(CredentialField("api_key", "k"), CredentialField("team_id", "t", secret=False)),
            modes=(frozenset({"api_key", "team_id"}),),
        ),
    )
}
RULES = build_rules(REGISTRY)


@pytest.mark.parametrize(
    ("key", "base_url", "provider"),
    [
        ("sk-or-v1-abc", None, "router"),  # its declared key prefix
        ("sk-or-v1-abc", "http://127.0.0.1:8787/or", "router"),  # a mirror of it
        ("vck_abc", None, "gateway"),
        ("nv_abc", None, "novel"),  # a prefix the platform declares itself
        ("anything", "https://openrouter.ai/api/v1", "router"),  # a known home host
        ("sk-or-v1-abc", "https://openrouter.ai", "router"),  # shape and host agree
        ("sk-abc", "https://relay.example.com", "relay"),  # unknown host + sk- = the relay
    ],
)
def test_unambiguous_keys_get_their_platform(key: str, base_url: str | None, provider: str) -> None:
    assert RULES.detect(key, base_url).provider == provider


@pytest.mark.parametrize(
    ("key", "base_url", "reason"),
    [
        ("sk-abc", None, "no base URL: it could be any of flow, flow-mirror, gateway, novel, "),
        ("sk-abc", "https://api.siliconflow.com", "home to flow, flow-mirror: pass --provider"),
        ("sk-or-v1-abc", "https://ai-gateway.vercel.sh", "looks like router's (sk-or-...)"),
        ("abc", "https://relay.example.com", "could be relay; pass --provider"),
        ("sk-abc", "https://", "the base URL has no host"),
    ],
)
def test_ambiguous_keys_say_why_and_what_they_could_be(
    key: str, base_url: str | None, reason: str
) -> None:
    found = RULES.detect(key, base_url)
    assert found.provider is None
    assert found.reason is not None and reason in found.reason


def test_platforms_that_need_more_than_a_key_are_never_candidates() -> None:
    assert "team" not in RULES.bare
    assert key_field(REGISTRY["team"]) is None
    assert RULES.detect("k", "https://team.example").provider is None


def test_a_key_fills_api_key_when_a_platform_has_several_single_field_modes() -> None:
    both = toy(
        "both",
        "https://b.example",
        fields=(CredentialField("access_token", "a"), CredentialField("api_key", "k")),
        modes=(frozenset({"access_token"}), frozenset({"api_key"})),
    )
    assert key_field(both) == "api_key"


def test_the_installed_platforms_detect_openrouter_keys_and_relays() -> None:
    installed = rules()
    assert installed.detect("sk-or-v1-0123", None).provider == "openrouter"
    assert installed.detect("sk-0123", "https://relay.example.com").provider == "newapi"
    assert installed.detect("sk-0123", None).provider is None

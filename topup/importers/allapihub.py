"""Backups of the all-api-hub browser extension (github.com/qixing-jk/all-api-hub).

The extension's "export all" (and its WebDAV sync) writes one JSON envelope::

    {"version": "4.0", "timestamp": 1750000000000,
     "accounts": {"accounts": [SiteAccount...], "bookmarks": [...], "pinnedAccountIds": [...],
                  "orderedAccountIds": [...], "last_updated": ...},
     "tagStore": {"version": 1, "tagsById": {"<id>": {"id": ..., "name": "team-a", ...}}},
     "preferences": {...}, "channelConfigs": {...}, "apiCredentialProfiles": {...}}

Versions 2.0 and 3.0 have the same place for accounts; 1.0 (and no ``version``) held them at
``accounts.accounts``, ``data.accounts`` (an "accounts only" export: ``type: "accounts"``) or
``accounts`` itself. A ``SiteAccount`` has ``site_name``, ``site_url``, ``site_type``,
``authType`` (``access_token``, ``cookie`` or ``none``; absent in old backups: access token),
``account_info`` (``id``: the user id, a number in old backups and a string now;
``access_token``; ``username``; ``quota``: a cached balance), ``exchange_rate``, ``disabled``,
``notes``, ``tagIds`` (names in ``tagStore``) and, in old backups, ``tags`` (the names).

Mapping, by the extension's site type:

* the new-api family (``new-api``, ``one-api``, ``Veloera``, ``done-hub``, ``VoAPI``,
  ``anyrouter``... and ``unknown``, which the extension checks with the same adapter): the
  platform named like ``new-api``, ``base_url = site_url``, ``access_token`` + ``user_id``;
* a site type that names a topup platform (``AIHubMix``, ``openrouter``): that platform, its
  token as the credential it takes (``access_token``, else ``api_key``), no ``base_url`` when
  the site is the platform's own host;
* cookie sign-ins without a token, accounts without a token, other site types (``sub2api``,
  ``voapi-v2``, ``sharedchat``...): skipped, with the reason.

The cached ``quota`` and ``exchange_rate`` are never used: balances come from the sites.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from topup.i18n import gettext as _
from topup.importers.plan import Candidate, ImportFailed, Skipped
from topup.platforms import Provider, get_provider
from topup.sanitize import cap, remove_controls

#: Envelope versions this reader knows (``BACKUP_VERSION`` and its legacy versions).
KNOWN_VERSIONS = ("1.0", "2.0", "3.0", "4.0")
#: Site types the extension reads with its new-api family adapter (compared case-insensitively).
RELAY_FAMILY = frozenset(
    t.casefold()
    for t in (
        "new-api",
        "one-api",
        "ModelFlare",
        "anyrouter",
        "Veloera",
        "one-hub",
        "done-hub",
        "v-api",
        "VoAPI",
        "Super-API",
        "Rix-Api",
        "neo-Api",
        "wong-gongyi",
        "unknown",
    )
)
#: The family's own site type; the topup platform of that name checks all of them.
RELAY_TYPE = "new-api"
COOKIE = "cookie"
ACCESS_TOKEN = "access_token"  # noqa: S105 (a field name)
API_KEY = "api_key"
USER_ID = "user_id"


def read_backup(path: Path) -> tuple[str, list[Candidate | Skipped]]:
    """The backup's version and one candidate (or skip) per account, in the backup's order."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ImportFailed(_("no such file"), path=path) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ImportFailed(_("cannot read it: {error}").format(error=exc), path=path) from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ImportFailed(
            _("not JSON: {error} at line {line} column {column}").format(
                error=exc.msg, line=exc.lineno, column=exc.colno
            ),
            path=path,
            hint=_("give the file all-api-hub's Import/Export page saves"),
        ) from None
    except RecursionError:
        raise ImportFailed(_("not a backup: JSON nested too deeply"), path=path) from None
    version, accounts = envelope(data, path)
    tags = tag_names(data)
    return version, [candidate(raw, tags) for raw in accounts]


def envelope(data: Any, path: Path) -> tuple[str, list[Any]]:
    """The version and the list of accounts, wherever this version of the backup keeps them."""
    hint = _("give the file all-api-hub's Import/Export page saves with Export all or Accounts")
    if not isinstance(data, dict):
        raise ImportFailed(_("not an all-api-hub backup: not a JSON object"), path=path, hint=hint)
    version = data.get("version", "1.0")
    if not isinstance(version, str):
        raise ImportFailed(
            _("not an all-api-hub backup: version {version}").format(version=repr(version)),
            path=path,
        )
    if data.get("type") == "preferences":
        raise ImportFailed(
            _("this backup holds preferences only, no accounts"), path=path, hint=hint
        )
    places = (data.get("accounts"), _get(data.get("data"), "accounts"))
    for place in places:
        if isinstance(place, list):
            return version, place
        accounts = _get(place, "accounts")
        if isinstance(accounts, list):
            return version, accounts
    raise ImportFailed(_("no accounts in this backup"), path=path, hint=hint)


def tag_names(data: Mapping[str, Any]) -> dict[str, str]:
    """Tag id → name, from the backup's tag store."""
    store = data.get("tagStore") or _get(data.get("data"), "tagStore")
    by_id = _get(store, "tagsById")
    if not isinstance(by_id, dict):
        return {}
    return {
        str(k): v["name"]
        for k, v in by_id.items()
        if isinstance(v, dict) and isinstance(v.get("name"), str)
    }


def candidate(raw: Any, tags: Mapping[str, str]) -> Candidate | Skipped:
    """One ``SiteAccount`` in topup's terms, or why it is skipped."""
    if not isinstance(raw, dict):
        return Skipped(_("(an entry that is not an account)"), _("not an account object"))
    site_name = _text(raw.get("site_name"))
    site_url = _text(raw.get("site_url")).rstrip("/")
    site_type = _text(raw.get("site_type")) or "unknown"
    source = f"{site_name or site_url or _('(no name)')} ({site_type})"
    info: dict[str, Any] = raw["account_info"] if isinstance(raw.get("account_info"), dict) else {}
    token = _text(info.get(ACCESS_TOKEN)).strip()
    auth = _text(raw.get("authType")) or ACCESS_TOKEN
    if not token:
        if auth == COOKIE:
            why = _("signs in with a browser cookie (authType cookie) and has no access token")
        else:
            why = _("no access token in the backup (authType {auth})").format(auth=auth)
        return Skipped(
            source,
            _("{why}; create a system access token on the site to add it").format(why=why),
        )
    if not re.match(r"^https?://[^/\s]+", site_url):
        return Skipped(source, _("its {key} is not an http(s) URL").format(key="site_url"))
    found = provider_for(site_type)
    if found is None:
        return Skipped(
            source,
            _("topup has no platform for site type {type}").format(type=repr(site_type)),
        )
    user_id = _text(info.get("id")).strip()
    secrets, options = credentials(found, token, user_id)
    if not secrets:
        return Skipped(
            source,
            _("platform {name} takes no token topup could give it").format(name=repr(found.name)),
        )
    if not any(mode <= {*secrets, *options} for mode in found.modes):
        shown = cap(remove_controls(user_id), 40) or _("none")
        return Skipped(
            source,
            _("its user id ({id}) is not a number, and the token needs one").format(id=shown),
        )
    username = remove_controls(_text(info.get("username")))
    return Candidate(
        source=source,
        name_hint=site_name or urlsplit(site_url).hostname or "",
        provider=found.name,
        base_url=None if own_host(found, site_url) else site_url,
        secrets=secrets,
        options=options,
        enabled=raw.get("disabled") is not True,
        tags=tuple(dict.fromkeys(_tags(raw, tags))),
        notes=_text(raw.get("notes")).strip(),
        comment=cap(
            f"all-api-hub: {site_name or site_url} ({site_type})"
            + (f", user {username}" if username else ""),
            200,
        ),
    )


def provider_for(site_type: str) -> type[Provider] | None:
    """The platform that checks a site type: one of that very name, else the relay family's."""
    own = get_provider(_normal(site_type))
    if own is not None:
        return own
    if site_type.casefold() in RELAY_FAMILY:
        return get_provider(_normal(RELAY_TYPE))
    return None


def credentials(
    provider: type[Provider], token: str, user_id: str
) -> tuple[dict[str, str], dict[str, str]]:
    """The token as the credential the platform takes, and the user id where it has one."""
    names = provider.field_names()
    field = ACCESS_TOKEN if ACCESS_TOKEN in names else API_KEY if API_KEY in names else None
    if field is None:
        return {}, {}
    options: dict[str, str] = {}
    option = next((f for f in provider.option_fields() if f.name == USER_ID), None)
    if field == ACCESS_TOKEN and option is not None and user_id and option.accepts(user_id):
        options[USER_ID] = user_id
    return {field: token}, options


def own_host(provider: type[Provider], site_url: str) -> bool:
    """True when ``site_url`` is on the platform's own host (or a sub-domain of it, like
    AIHubMix's console): then the platform's default API address is the right one."""
    if not provider.default_base_url:
        return False
    default = (urlsplit(provider.default_base_url).hostname or "").removeprefix("www.")
    host = (urlsplit(site_url).hostname or "").removeprefix("www.")
    return bool(default) and (host == default or host.endswith("." + default))


def _normal(site_type: str) -> str:
    return re.sub(r"[^0-9a-z]", "", site_type.casefold())


def _tags(raw: Mapping[str, Any], names: Mapping[str, str]) -> Iterator[str]:
    ids = raw.get("tagIds")
    for tag_id in ids if isinstance(ids, list) else ():
        name = names.get(str(tag_id))
        if name and remove_controls(name):
            yield remove_controls(name)
    legacy = raw.get("tags")
    for name in legacy if isinstance(legacy, list) else ():
        if isinstance(name, str) and remove_controls(name):
            yield remove_controls(name)


def _text(value: Any) -> str:
    """A string field (a number, such as an old backup's user id, as its digits)."""
    if isinstance(value, bool) or value is None:
        return ""
    if isinstance(value, int):
        return str(value)
    return value if isinstance(value, str) else ""


def _get(obj: Any, key: str) -> Any:
    return obj.get(key) if isinstance(obj, dict) else None

"""AIHubMix's recorded answers with their expected results (run by the generic tests)."""

from __future__ import annotations

from dataclasses import replace

from topup.platforms.base import Case, Exchange, Staged

CASES: tuple[Case, ...] = (
    Case(
        "manage key, documented answer with secrets inside",
        {"access_token": "ahm-manage-key-0123456789"},
        (
            Exchange("/api/status", status=404, text="404 page not found"),
            Exchange(
                "/api/user/self",
                json={
                    "data": {
                        "id": 123,
                        "username": "u",
                        "password": "hunter2-password",
                        "access_token": "ahm-manage-key-0123456789",
                        "verification_code": "998877",
                        "quota": 61500000,
                        "used_quota": 38500000,
                        "status": 1,
                    },
                    "message": "",
                    "success": True,
                },
                expect_headers={"authorization": "Bearer ahm-manage-key-0123456789"},
            ),
        ),
        {"status": "ok", "currency": "USD", "balance": "123", "used": "77"},
    ),
    Case(
        "failure message under success:false",
        {"access_token": "ahm-bad"},
        (
            Exchange("/api/status", json={"success": True, "data": {"quota_per_unit": 500000}}),
            Exchange(
                "/api/user/self",
                json={"data": None, "message": "无权进行此操作,token 无效", "success": False},
            ),
        ),
        {"status": "auth_error", "balance": None},
    ),
)

#: The cases the imitation can stage: the same result from the sandbox over real HTTP.
STAGED: dict[str, Staged] = {
    "manage key, documented answer with secrets inside": Staged(
        account={"quota": 61500000, "used_quota": 38500000}
    ),
    "failure message under success:false": Staged(
        account={"quota": 1}, config={"access_token": "ahm-not-known"}
    ),
}
CASES = tuple(replace(case, staged=STAGED.get(case.name)) for case in CASES)

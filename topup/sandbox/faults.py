"""Faults the sandbox injects on demand, each shaped like a real platform failure."""

from __future__ import annotations

import enum
from dataclasses import asdict, dataclass, field
from typing import Any


class FaultKind(enum.StrEnum):
    LATENCY = "latency"  # sleep latency_ms before answering (asyncio; other requests go on)
    RATE_LIMIT = "rate_limit"  # 429 with Retry-After
    HTML_503 = "html_503"  # 503 with an nginx HTML page
    GATEWAY_TIMEOUT = "gateway_timeout"  # 504
    GONE = "gone"  # 410 Gone (SiliconFlow retired the endpoint)
    TRUNCATED_JSON = "truncated_json"  # the normal answer, cut in the middle
    SUCCESS_FALSE = "success_false"  # HTTP 200 with the failure envelope
    CONNECTION_RESET = "connection_reset"  # TCP reset, no answer at all
    ENDLESS_BODY = "endless_body"  # 200 whose body trickles forever


@dataclass(slots=True)
class Fault:
    kind: FaultKind
    times: int | None = None  # None: until cleared
    latency_ms: int = 0
    retry_after: int = 1
    message: str | None = None
    interval_ms: int = 100  # endless_body: pause between bytes

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["kind"] = str(self.kind)
        return data


@dataclass(slots=True)
class FaultPlan:
    """What one request must suffer: total added latency and at most one failure."""

    latency_ms: int = 0
    failure: Fault | None = None
    applied: list[str] = field(default_factory=list)


def consume(faults: list[Fault], plan: FaultPlan) -> None:
    """Apply the faults of one target to ``plan``, counting down ``times``."""
    for fault in list(faults):
        if fault.kind is FaultKind.LATENCY:
            plan.latency_ms += fault.latency_ms
        elif plan.failure is None:
            plan.failure = fault
        else:
            continue
        plan.applied.append(str(fault.kind))
        if fault.times is not None:
            fault.times -= 1
            if fault.times <= 0:
                faults.remove(fault)


NGINX_503 = (
    "<html>\r\n<head><title>503 Service Temporarily Unavailable</title></head>\r\n"
    "<body>\r\n<center><h1>503 Service Temporarily Unavailable</h1></center>\r\n"
    "<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
)
NGINX_504 = (
    "<html>\r\n<head><title>504 Gateway Time-out</title></head>\r\n"
    "<body>\r\n<center><h1>504 Gateway Time-out</h1></center>\r\n"
    "<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
)
NGINX_410 = (
    "<html>\r\n<head><title>410 Gone</title></head>\r\n"
    "<body>\r\n<center><h1>410 Gone</h1></center>\r\n"
    "<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
)

"""A faithful local HTTP stand-in of the balance APIs (SiliconFlow, new-api/one-api relays).

``SandboxState`` holds sites, accounts, keys and faults; ``create_app`` serves them (ASGI);
``SandboxServer`` runs that app with uvicorn on loopback in a background thread.
"""

from topup.sandbox.faults import FaultKind
from topup.sandbox.state import SandboxError, SandboxState

__all__ = ["FaultKind", "SandboxError", "SandboxState"]

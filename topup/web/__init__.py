"""The web part of ``topup serve``: dashboard pages, a JSON API and Prometheus metrics.

Usage::

    from topup.web import create_app

    app = create_app(store=store, accounts=config.accounts, check_now=check_now, token=None)
    uvicorn.run(app, host="127.0.0.1", port=8000)

``check_now(names)`` checks the named accounts (``None``: all) now, records them in the store
and returns the results. Every page, API answer and ``/metrics`` is built from the store; no
credential is ever rendered.
"""

from topup.web.app import create_app

__all__ = ["create_app"]

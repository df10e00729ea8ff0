"""`topup watch`: every account checked on its own interval, recorded, and alerted on."""

from topup.watch.trends import burn_of
from topup.watch.watcher import Watcher, WatchOptions

__all__ = ["WatchOptions", "Watcher", "burn_of"]

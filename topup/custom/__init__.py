"""Custom platforms declared in the config: ``[[platforms]]`` recipes and their ``include`` files.

A recipe says where a balance is (method, path, auth style) and how to read it (JMESPath
expressions); it becomes a platform like any built-in one (:mod:`topup.custom.provider`).

* :mod:`topup.custom.recipe`: a ``[[platforms]]`` table validated into a :class:`Recipe`;
* :mod:`topup.custom.expressions`: JMESPath compiled at config time, evaluated exactly;
* :mod:`topup.custom.loading`: the tables of the config and of its ``include`` files, registered;
* :mod:`topup.custom.provider`: the :class:`~topup.platforms.Provider` a recipe builds;
* :mod:`topup.custom.trace`: what `topup platforms test` prints, step by step.
"""

from __future__ import annotations

from topup.custom.provider import RecipeProvider, provider_class
from topup.custom.recipe import Recipe

__all__ = ["Recipe", "RecipeProvider", "provider_class"]

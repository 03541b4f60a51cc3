"""The account's balance.

    credits(ctx) -> Credits(available, frozen, total)   the balance; total is available + frozen when
                                                        the service leaves it out
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from nemo_cli.context import Context


@dataclass(frozen=True)
class Credits:
    available: float
    frozen: float  # held by operations in flight
    total: float

    def public(self) -> dict[str, Any]:
        return asdict(self)


def credits(ctx: "Context") -> Credits:
    return Credits(**ctx.client.credits().public())

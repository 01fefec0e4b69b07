"""What a stock-to-channels run did, channel by channel, and the one decision that needs no
I/O (which SKUs changed since they were last published)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from causeway.flows.stock_to_channels.settlement import Submission, refused_mark

Progress = Callable[[str, int, int], None]  # (phase, done, total)


def changed_since_published(
    sellable: Mapping[str, int], published: Mapping[str, str | None]
) -> dict[str, int]:
    """The SKUs whose quantity is not the one last published, nor one the channel
    refused last time (settlement.refused_mark: sent again on replay or a full run)."""
    return {
        sku: qty
        for sku, qty in sellable.items()
        if published.get(sku) not in (str(qty), refused_mark(qty))
    }


@dataclass
class ChannelResult:
    pushed: dict[str, int] = field(default_factory=dict)
    already_right: list[str] = field(default_factory=list)
    # SKU -> the quantity the channel shows after this run (pushed or already right), or
    # will show once it has applied what was submitted.
    shown: dict[str, int] = field(default_factory=dict)
    not_in_channel: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    # Taken by a channel that decides later (settlement.py): SKU -> the quantity sent.
    submitted: dict[str, int] = field(default_factory=dict)
    submissions: list[Submission] = field(default_factory=list)
    # SKUs left alone because a submission of theirs is not settled yet: its settling
    # looks at them again.
    waiting: list[str] = field(default_factory=list)

    def took(self, submission: Submission) -> None:
        """The channel took these to decide later: shown as sent, settled afterwards."""
        self.submissions.append(submission)
        self.submitted |= submission.quantities()
        self.shown |= submission.quantities()

    def merge(self, later: ChannelResult) -> ChannelResult:
        """This pass's result followed by a later pass's over the same channel."""
        return ChannelResult(
            pushed={**self.pushed, **later.pushed},
            already_right=self.already_right
            + [s for s in later.already_right if s not in {*self.pushed, *self.already_right}],
            shown={**self.shown, **later.shown},
            not_in_channel=sorted(set(self.not_in_channel) | set(later.not_in_channel)),
            errors=self.errors + later.errors,
            submitted={**self.submitted, **later.submitted},
            submissions=self.submissions + later.submissions,
            waiting=sorted(set(self.waiting) | set(later.waiting)),
        )


@dataclass
class StockRun:
    considered: int = 0
    channels: dict[str, ChannelResult] = field(default_factory=dict)

    def counts(self) -> dict[str, int]:
        """The run in figures, as the console's run history shows them."""
        results = self.channels.values()
        counts = {
            "SKUs looked at": self.considered,
            "quantities pushed": sum(len(r.pushed) for r in results),
            "already right": sum(len(r.already_right) for r in results),
        }
        if submitted := sum(len(r.submitted) for r in results):
            counts["quantities submitted"] = submitted
        return counts

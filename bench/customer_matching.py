"""Matching synthetic customers against the golden record: time, memory, precision, recall.

Customers arrive one by one, as orders do; each is matched with the blocking keys
and scoring of causeway.customers.matching against the records seen so far (held
in memory here: the engine's customer_keys table is the same index), and joins the
record it matches or starts a new one. The generator knows who is who, so pairwise
precision and recall are exact. Two baselines run on the same data:
- exact-email-only matching (what orders-to-erp did before): its recall;
- all-pairs matching without blocking, on a sample, extrapolated to the full count.

    .venv/bin/python bench/customer_matching.py [--count 1000000] [--duplicates 0.2]
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _synthetic_customers import Observation, generate

from causeway.config.customers import CustomerSettings
from causeway.customers.matching import (
    Profile,
    best_match,
    blocking_keys,
    decide,
    profile,
)


class Matcher:
    """The golden records as clusters, with a union-find for the merges that a record
    matching two clusters implies."""

    def __init__(self, settings: CustomerSettings, blocking: bool = True) -> None:
        self.settings = settings
        self.blocking = blocking
        self.index: dict[str, list[int]] = {}
        self.profiles: list[Profile] = []
        self.parent: list[int] = []
        self.comparisons = 0

    def find(self, cid: int) -> int:
        while self.parent[cid] != cid:
            self.parent[cid] = self.parent[self.parent[cid]]
            cid = self.parent[cid]
        return cid

    def _candidates(self, keys: set[str]) -> dict[int, Profile]:
        if not self.blocking:
            return {c: self.profiles[c] for c in range(len(self.profiles)) if self.parent[c] == c}
        ids = {self.find(c) for key in keys for c in self.index.get(key, ())}
        return {c: self.profiles[c] for c in ids}

    def add(self, values: dict) -> int:
        mine = profile(values, self.settings)
        keys = blocking_keys(mine)
        candidates = self._candidates(keys)
        self.comparisons += len(candidates)
        matches = best_match(mine, candidates, self.settings.match_threshold)
        if not matches:
            cid = len(self.profiles)
            self.profiles.append(mine)
            self.parent.append(cid)
        else:
            cid = matches[0][0]
            merged = [mine] + [self.profiles[other] for other, _ in matches[1:]]
            for other, _ in matches[1:]:
                self.parent[other] = cid
            self.profiles[cid] = union(self.profiles[cid], merged)
        for key in keys:
            self.index.setdefault(key, []).append(cid)
        return cid


def union(base: Profile, others: Iterable[Profile]) -> Profile:
    """What the golden record remembers: every email, phone and address given."""
    emails, phones, places = set(base.emails), set(base.phones), list(base.places)
    for other in others:
        emails |= other.emails
        phones |= other.phones
        places += [p for p in other.places if p not in places]
    return Profile(frozenset(emails), frozenset(phones), base.name, tuple(places))


def pairs(groups: Counter) -> int:
    return sum(n * (n - 1) // 2 for n in groups.values())


def quality(truth: list[int], predicted: list[int]) -> tuple[float, float]:
    """Pairwise precision and recall of the predicted grouping against the truth."""
    true_pairs = pairs(Counter(truth))
    predicted_pairs = pairs(Counter(predicted))
    correct = pairs(Counter(zip(truth, predicted, strict=True)))
    precision = correct / predicted_pairs if predicted_pairs else 1.0
    recall = correct / true_pairs if true_pairs else 1.0
    return precision, recall


def run_blocking(observations: list[Observation], settings: CustomerSettings) -> dict:
    matcher = Matcher(settings)
    started = time.perf_counter()
    assigned = [matcher.add(o.values) for o in observations]
    elapsed = time.perf_counter() - started
    predicted = [matcher.find(c) for c in assigned]
    precision, recall = quality([o.truth for o in observations], predicted)
    return {
        "seconds": elapsed,
        "precision": precision,
        "recall": recall,
        "comparisons": matcher.comparisons,
        "records": len(set(predicted)),
    }


def run_email_only(observations: list[Observation], settings: CustomerSettings) -> dict:
    by_email: dict[str, int] = {}
    predicted = []
    for n, o in enumerate(observations):
        email = next(iter(profile({"email": o.values.get("email")}, settings).emails), None)
        predicted.append(by_email.setdefault(email, n) if email else n)
    precision, recall = quality([o.truth for o in observations], predicted)
    return {"precision": precision, "recall": recall}


def run_all_pairs(sample: list[Observation], settings: CustomerSettings) -> dict:
    """Compare each record with every record before it: time per comparison."""
    profiles = [profile(o.values, settings) for o in sample]
    started = time.perf_counter()
    compared = 0
    for i, mine in enumerate(profiles):
        for other in profiles[:i]:
            decide(mine, other, settings.match_threshold)
            compared += 1
    elapsed = time.perf_counter() - started
    return {"seconds": elapsed, "comparisons": compared}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=1_000_000)
    parser.add_argument("--duplicates", type=float, default=0.2, help="share of duplicates")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--threshold", type=float, default=90.0)
    parser.add_argument("--pairs-sample", type=int, default=2000, help="all-pairs baseline size")
    args = parser.parse_args()
    settings = CustomerSettings(match_threshold=args.threshold)

    started = time.perf_counter()
    observations = list(generate(args.count, args.duplicates, args.seed))
    generated = time.perf_counter() - started
    people = len({o.truth for o in observations})
    print(
        f"{args.count:,} customers ({people:,} people, {args.count - people:,} duplicates), "
        f"seed {args.seed}, generated in {generated:.1f} s"
    )

    result = run_blocking(observations, settings)
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    rate = args.count / result["seconds"]
    print(
        f"blocking + rapidfuzz: {result['seconds']:.1f} s ({rate:,.0f} customers/s), "
        f"{result['comparisons'] / args.count:.2f} comparisons per customer, "
        f"{result['records']:,} golden records, peak memory {peak_mib:,.0f} MiB (RSS)"
    )
    print(f"  precision {result['precision']:.4f}  recall {result['recall']:.4f}")

    email_only = run_email_only(observations, settings)
    print(
        f"baseline exact email only: precision {email_only['precision']:.4f}  "
        f"recall {email_only['recall']:.4f}  -> blocking finds "
        f"{result['recall'] / email_only['recall']:.2f}x the duplicates"
    )

    sample = observations[: args.pairs_sample]
    naive = run_all_pairs(sample, settings)
    per_comparison = naive["seconds"] / max(naive["comparisons"], 1)
    full_pairs = args.count * (args.count - 1) / 2
    extrapolated = per_comparison * full_pairs
    print(
        f"baseline all pairs, no blocking: {naive['comparisons']:,} comparisons on "
        f"{len(sample):,} customers in {naive['seconds']:.1f} s "
        f"({per_comparison * 1e6:.1f} µs each); {args.count:,} customers would take "
        f"{extrapolated / 3600:,.1f} h -> blocking is "
        f"{extrapolated / result['seconds']:,.0f}x faster"
    )


if __name__ == "__main__":
    main()

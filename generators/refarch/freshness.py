"""How current the catalog is: when its release list was checked, how often the product releases, and
whether a newer release is probably out by a given date. Pure: the date judged is always an argument.

The release list was last checked on `verified:` of catalog/releases.yaml (the one source of truth).
The cadence is the median interval between consecutive minor releases over the CADENCE_WINDOW most
recent intervals, rounded up to whole days. The next release is expected by checked + cadence; after
GRACE_DAYS more (the day after that date is the first stale one) the catalog may be out of date.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from itertools import pairwise
from typing import TYPE_CHECKING, Any

from .memo import per_catalog
from .numbers import VERSION_PATTERN, minor_of, too_many_digits, version_key
from .problems import clip_repr, did_you_mean

if TYPE_CHECKING:
    from .loading import Catalog
    from .models import Release

CADENCE_WINDOW = 12
"""Intervals the cadence is the median of: the 13 newest minor releases, about a year at a monthly pace."""

GRACE_DAYS = 14
"""Days past the expected next release before the catalog counts as out of date. Release intervals rarely
run more than two weeks past the median (see README), so an ordinary month does not warn, yet a missed
release is flagged before the one after it is due."""

REFRESH = "refarch catalog releases --git DIR"
"""The maintainer command that compares catalog/releases.yaml with the deploy repositories' tags."""


@dataclass(frozen=True)
class Cadence:
    """The usual time between minor releases, over the newest `intervals` intervals (`first` to `last`)."""

    days: int
    intervals: int
    first: str
    last: str

    def as_dict(self) -> dict[str, Any]:
        return {"median_days": self.days, "intervals": self.intervals, "from": self.first, "to": self.last}

    def text(self) -> str:
        return f"a minor release about every {self.days} days (median of the {self.intervals} intervals from {self.first} to {self.last})"


@dataclass(frozen=True)
class Freshness:
    """The catalog's currency, and the last day it counts as fresh."""

    checked: dt.date
    newest: Release
    cadence: Cadence | None
    grace_days: int

    @property
    def next_expected(self) -> dt.date | None:
        """The day by which the next release was expected: the check date plus the usual interval."""
        return self.checked + dt.timedelta(days=self.cadence.days) if self.cadence else None

    @property
    def fresh_until(self) -> dt.date | None:
        """The last day the catalog counts as current; None when there are too few releases to tell."""
        expected = self.next_expected
        return expected + dt.timedelta(days=self.grace_days) if expected else None

    @property
    def stale_from(self) -> dt.date | None:
        """The first day the catalog counts as out of date: the day after fresh_until."""
        until = self.fresh_until
        return until + dt.timedelta(days=1) if until else None

    def stale(self, as_of: dt.date) -> bool:
        until = self.fresh_until
        return until is not None and as_of > until

    def currency(self) -> dict[str, str]:
        """What every answer carries as `catalog`."""
        return {"checked": self.checked.isoformat(), "newest_release": self.newest.version}


def release_cadence(releases: list[Release], window: int = CADENCE_WINDOW) -> Cadence | None:
    """The median interval between consecutive minor releases over the newest `window` intervals."""
    recent = releases[-(window + 1) :]
    if len(recent) < 2:
        return None
    days = sorted((after.released - before.released).days for before, after in pairwise(recent))
    middle = len(days) // 2
    median = days[middle] if len(days) % 2 else (days[middle - 1] + days[middle]) / 2  # statistics.median, without its 2 ms import
    return Cadence(math.ceil(median), len(days), recent[0].version, recent[-1].version)


@per_catalog
def _by_minor(catalog: Catalog) -> dict[str, Release]:
    return {release.version: release for release in catalog.releases.releases}


@per_catalog
def freshness(catalog: Catalog) -> Freshness:
    releases = catalog.releases
    return Freshness(releases.verified, releases.releases[-1], release_cadence(releases.releases), GRACE_DAYS)


def currency(catalog: Catalog) -> dict[str, str]:
    """`catalog: {checked, newest_release}`, the same in every answer."""
    return freshness(catalog).currency()


def stale_message(catalog: Catalog, as_of: dt.date) -> str | None:
    """Why the catalog may be out of date on `as_of`, and how to refresh it; None while it is current."""
    fresh = freshness(catalog)
    if not fresh.stale(as_of) or fresh.cadence is None:
        return None
    newest = fresh.newest
    return (
        f"The catalog may be out of date: its release list was checked on {fresh.checked} and the newest release it knows is "
        f"{newest.version} (latest patch {newest.latest_patch}). With {fresh.cadence.text()}, the next release was expected by "
        f"{fresh.next_expected}; {as_of} is more than {fresh.grace_days} days past that. A maintainer refreshes it with "
        f"`{REFRESH}` over clones of the deploy repositories, then reviews the change."
    )


def newer_than_catalog(catalog: Catalog, version: str) -> str:
    """The message for a version past everything the catalog knows."""
    fresh = freshness(catalog)
    newest = fresh.newest
    return (
        f"version {version} is newer than the newest release the catalog knows, {newest.version} (latest patch {newest.latest_patch}); "
        f"the catalog's release list was checked on {fresh.checked} (give a version up to {newest.latest_patch}, "
        f"or, if {version} is out, refresh the catalog with `{REFRESH}`)"
    )


def is_newer(catalog: Catalog, version: str) -> bool:
    """Whether a version ("X.Y" or "X.Y.Z") is past the newest release and its latest patch."""
    newest = catalog.releases.releases[-1]
    minor = minor_of(version)
    return version_key(minor) > version_key(newest.version) or (minor == newest.version and version_key(version) > version_key(newest.latest_patch))


def version_problem(catalog: Catalog, version: str) -> str | None:
    """What is wrong with a product version the catalog is asked about, or None when it names a known release.

    The one place product versions are resolved. A version past the newest release, or a patch past
    the latest patch the catalog knows of the newest minor, is newer than the catalog. A patch past the
    latest known patch of an older minor is refused too: the catalog cannot vouch for it.
    """
    releases = catalog.releases.releases
    first, last = releases[0], releases[-1]
    scope = f"the catalog covers {first.version} to {last.version}"
    if not VERSION_PATTERN.match(version) or "." not in version:  # bounded digits (refarch.numbers): nothing below compares a huge number
        return too_many_digits(version) or f'expected a product version like "{last.version}" or "{last.latest_patch}" (got {clip_repr(version)})'
    if is_newer(catalog, version):
        return newer_than_catalog(catalog, version)
    minor, key = minor_of(version), version_key(version)
    if version_key(minor) < version_key(first.version):
        return f"version {version} is older than the catalog, which starts at {first.version}; {scope}"
    release = _by_minor(catalog).get(minor)
    if release is None:
        return f"unknown product version '{version}': there is no {minor} release; {scope}{did_you_mean(minor, [r.version for r in releases])}"
    if key > version_key(release.latest_patch):
        checked = freshness(catalog).checked
        return (
            f"version {version} is newer than the latest {minor} patch the catalog knows ({release.latest_patch}; release list checked on {checked}); "
            f"use {release.latest_patch} or {minor}"
        )
    return None

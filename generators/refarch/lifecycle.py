"""Status over versions and dates, computed from lifecycle data; nothing here is authored.

Every lifecycle field means "from this version on" (introduced, deprecated, removed) or
"end of X" (a release's end of support), as endoflife.date settled on.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .numbers import minor_of, version_key

if TYPE_CHECKING:
    from .loading import Catalog
    from .models import Lifecycle, Method, Release


def at_or_after(version: str, point: str) -> bool:
    """Whether a product version is at or past a lifecycle point.

    A minor ("5.4") counts as past a patch point ("5.4.7765") only from the next minor on,
    because most of that minor's patches came before the change; "X.Y" equals "X.Y.0".
    """
    v, p = version_key(version), version_key(point)
    if len(v) == 2 and len(p) == 3 and p[2] != 0:
        return v > p[:2]
    return v + (0,) * (3 - len(v)) >= p + (0,) * (3 - len(p))


def exists_at(lifecycle: Lifecycle, version: str) -> bool:
    """Whether something with this lifecycle exists at the product version."""
    if lifecycle.introduced and not at_or_after(version, lifecycle.introduced):
        return False
    return not (lifecycle.removed and at_or_after(version, lifecycle.removed))


def level_at(lifecycle: Lifecycle, current_level: str, version: str) -> str:
    """The support level at a product version of a thing whose level is `current_level` while current."""
    if lifecycle.introduced and not at_or_after(version, lifecycle.introduced):
        return "unavailable"
    if lifecycle.removed and at_or_after(version, lifecycle.removed):
        return "removed"
    if lifecycle.deprecated and at_or_after(version, lifecycle.deprecated):
        return "deprecated"
    return current_level


def method_level(method: Method, version: str) -> str:
    return level_at(method.lifecycle, method.level, version)


def known_minor(catalog: Catalog, version: str) -> bool:
    minor = minor_of(version)
    return any(release.version == minor for release in catalog.releases.releases)


@dataclass(frozen=True)
class ReleaseStatus:
    """A release as seen on a given date."""

    version: str
    released: dt.date
    latest_patch: str
    eol: dt.date | None
    status: str  # upcoming | supported | end-of-life
    is_latest: bool
    minors_behind: int | None

    def as_dict(self) -> dict[str, object]:
        return {
            "version": self.version,
            "released": self.released.isoformat(),
            "latest_patch": self.latest_patch,
            "eol": self.eol.isoformat() if self.eol else None,
            "status": self.status,
            "is_latest": self.is_latest,
            "minors_behind": self.minors_behind,
        }


def end_of_support(catalog: Catalog, release: Release) -> dt.date | None:
    """A release's end of support: authored if a source states it, else the release date of the
    first major that pushes it out of the policy's window; None while no such major exists."""
    if release.eol:
        return release.eol
    major = int(release.version.split(".")[0])
    window = catalog.product.support_policy.supported_majors
    for later in catalog.releases.releases:
        if int(later.version.split(".")[0]) >= major + window:
            return later.released
    return None


def release_statuses(catalog: Catalog, as_of: dt.date) -> list[ReleaseStatus]:
    """Every release, oldest first, with its status on `as_of`."""
    released = [r for r in catalog.releases.releases if r.released <= as_of]
    latest = released[-1] if released else None
    order = {r.version: i for i, r in enumerate(released)}
    out = []
    for release in catalog.releases.releases:
        eol = end_of_support(catalog, release)
        if release.released > as_of:
            status = "upcoming"
        elif eol and as_of >= eol:
            status = "end-of-life"
        else:
            status = "supported"
        behind = (order[latest.version] - order[release.version]) if latest and release.version in order else None
        out.append(ReleaseStatus(release.version, release.released, release.latest_patch, eol, status, release is latest, behind))
    return out


def release_status(catalog: Catalog, version: str, as_of: dt.date) -> ReleaseStatus | None:
    minor = minor_of(version)
    return next((s for s in release_statuses(catalog, as_of) if s.version == minor), None)

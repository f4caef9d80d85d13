"""Release status and levels over versions are computed from lifecycle data, for any date."""

from __future__ import annotations

import datetime as dt

import pytest

from refarch.lifecycle import at_or_after, end_of_support, exists_at, level_at, release_status, release_statuses
from refarch.loading import Catalog
from refarch.models import Lifecycle


def _released(catalog: Catalog, version: str) -> dt.date:
    return next(r.released for r in catalog.releases.releases if r.version == version)


def test_a_major_leaves_support_when_the_second_major_after_it_ships(catalog: Catalog) -> None:
    """Policy: the current major and the one before it. 5.x ends when 7.0 is released."""
    window = catalog.product.support_policy.supported_majors
    assert window == 2
    seven = _released(catalog, "7.0")
    day_before = seven - dt.timedelta(days=1)
    assert release_status(catalog, "5.11", day_before).status == "supported"  # type: ignore[union-attr]
    assert release_status(catalog, "5.11", seven).status == "end-of-life"  # type: ignore[union-attr]
    assert release_status(catalog, "6.0", seven).status == "supported"  # type: ignore[union-attr]


def test_eight_zero_ends_support_for_six_x_on_its_release_day(catalog: Catalog) -> None:
    """6.x leaves support the day 8.0 ships (2026-09-17); 7.x and 8.0 stay in the window."""
    eight = _released(catalog, "8.0")
    assert eight == dt.date(2026, 9, 17)
    day_before = eight - dt.timedelta(days=1)
    assert release_status(catalog, "6.12", day_before).status == "supported"  # type: ignore[union-attr]
    assert release_status(catalog, "8.0", day_before).status == "upcoming"  # type: ignore[union-attr]
    for version in ("6.0", "6.12"):
        status = release_status(catalog, version, eight)
        assert status is not None and status.status == "end-of-life" and status.eol == eight
    for version in ("7.0", "7.7", "8.0"):
        assert release_status(catalog, version, dt.date(2026, 12, 1)).status == "supported"  # type: ignore[union-attr]


def test_end_of_support_is_unknown_while_no_later_major_exists(catalog: Catalog) -> None:
    latest = catalog.releases.releases[-1]
    assert end_of_support(catalog, latest) is None


def test_a_release_is_upcoming_before_its_date(catalog: Catalog) -> None:
    date = _released(catalog, "7.6")
    assert release_status(catalog, "7.6", date - dt.timedelta(days=1)).status == "upcoming"  # type: ignore[union-attr]
    status = release_status(catalog, "7.6", date)
    assert status is not None and status.status == "supported" and status.is_latest


def test_minors_behind_counts_releases_out_by_the_date(catalog: Catalog) -> None:
    as_of = _released(catalog, "7.6")
    by_version = {s.version: s for s in release_statuses(catalog, as_of)}
    assert by_version["7.6"].minors_behind == 0
    assert by_version["7.4"].minors_behind == 2
    assert by_version["6.12"].minors_behind == 7


@pytest.mark.parametrize(
    ("version", "point", "expected"),
    [("5.4", "5.4", True), ("5.3", "5.4", False), ("5.4", "5.4.7765", False), ("5.5", "5.4.7765", True), ("4.2", "4.2.0", True), ("7.0.1", "7.0", True)],
)
def test_at_or_after(version: str, point: str, expected: bool) -> None:
    assert at_or_after(version, point) is expected


@pytest.mark.parametrize(
    ("version", "level"),
    [
        ("4.4", "unavailable"),
        ("4.5", "supported"),
        ("6.11", "supported"),
        ("6.12", "deprecated"),
        ("6.13", "deprecated"),
        ("7.0", "removed"),
        ("7.6", "removed"),
    ],
)
def test_level_at_follows_the_lifecycle(version: str, level: str) -> None:
    lifecycle = Lifecycle(introduced="4.5", deprecated="6.12", removed="7.0")
    assert level_at(lifecycle, "supported", version) == level


def test_exists_at_respects_both_ends() -> None:
    lifecycle = Lifecycle(introduced="4.2.1", removed="6.4")
    assert not exists_at(lifecycle, "4.2") and exists_at(lifecycle, "4.3") and exists_at(lifecycle, "6.3") and not exists_at(lifecycle, "6.4")


def test_plain_gives_what_model_dump_gives_for_every_catalog_file(catalog: Catalog) -> None:
    from refarch.models.common import plain

    for kind, entity_id in catalog.origins:
        value = getattr(catalog, kind)
        entity = value[entity_id] if entity_id else value
        assert plain(entity) == entity.model_dump(mode="json", by_alias=True), (kind, entity_id)

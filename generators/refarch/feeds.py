"""Lifecycle feeds for the site, generated from the catalog: an Atom feed, an iCalendar file and shields.io badges.

Pure: catalog and build date in, file contents out (the site writes them under generated/feeds/).
- Atom (RFC 4287, made with feedgen): one entry per release, per end of support and per method status change
  that has happened by the build date. Ids are tag URIs built from what the entry is about (never from the build),
  so a reader never sees an old entry as new.
- iCalendar (RFC 5545, made with icalendar): one all-day event per end of support, with an alarm ahead of it;
  the minors of a major that all leave support on one day share one event.
- shields.io endpoint badges (JSON, schemaVersion 1): the latest release, and each method's level at it.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .lifecycle import end_of_support, level_at
from .numbers import minor_of, version_key

if TYPE_CHECKING:
    from .loading import Catalog

FEEDS = "feeds"
ATOM, ICS, BADGES = f"{FEEDS}/lifecycle.atom", f"{FEEDS}/end-of-support.ics", f"{FEEDS}/badges"
ALARM_DAYS = 30
# The tag URI authority: a name and a date it stands for (RFC 4151), fixed so ids never change.
TAG = "tag:refarch.invalid,2026"
LEVEL_COLORS = {
    "recommended": "brightgreen",
    "supported": "green",
    "best-effort": "yellow",
    "deprecated": "orange",
    "not-supported": "red",
    "removed": "lightgrey",
    "unavailable": "lightgrey",
}


@dataclass(frozen=True)
class Event:
    """One dated change in the product's lifecycle."""

    id: str  # stable: what the event is about, never when it was generated
    day: dt.date
    title: str
    text: str


def _utc(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)


def _released(catalog: Catalog) -> dict[str, dt.date]:
    return {r.version: r.released for r in catalog.releases.releases}


def lifecycle_events(catalog: Catalog, as_of: dt.date) -> list[Event]:
    """Releases, ends of support and method status changes dated on or before `as_of`, newest first."""
    product = catalog.product
    released = _released(catalog)
    events = []
    for release in catalog.releases.releases:
        if release.released <= as_of:
            events.append(
                Event(
                    f"{TAG}:{product.id}/release/{release.version}",
                    release.released,
                    f"{product.name} {release.version} released",
                    f"{product.name} {release.version} was released on {release.released}; its latest patch is {release.latest_patch}.",
                )
            )
    for what, minors, eol in end_of_support_groups(catalog):
        if eol <= as_of:
            events.append(
                Event(
                    f"{TAG}:{product.id}/end-of-support/{what}",
                    eol,
                    f"{product.name} {what} leaves support",
                    f"{product.name} {_listed(minors)} is no longer supported from {eol}. {product.support_policy.summary}",
                )
            )
    for method in catalog.methods.values():
        life = method.lifecycle
        for point, version in (("introduced", life.introduced), ("deprecated", life.deprecated), ("removed", life.removed)):
            day = released.get(minor_of(version)) if version else None
            if version is None or day is None or day > as_of:
                continue
            level = level_at(life, method.level, version)
            events.append(
                Event(
                    f"{TAG}:{product.id}/method/{method.id}/{point}",
                    day,
                    f"{method.name}: {point} in {version}",
                    f"Deployment method {method.name} is {level} from {product.name} {version} (released {day}).",
                )
            )
    return sorted(events, key=lambda e: (e.day, e.id), reverse=True)


def atom_feed(catalog: Catalog, as_of: dt.date, base: str = "") -> str:
    """The Atom feed of lifecycle_events(); `base` is the site's URL, if it has one (links stay relative without)."""
    from feedgen.feed import FeedGenerator

    product = catalog.product
    events = lifecycle_events(catalog, as_of)
    feed = FeedGenerator()
    feed.id(f"{TAG}:{product.id}/lifecycle")
    feed.title(f"{product.name} releases and support changes")
    feed.subtitle(f"Releases, ends of support and deployment method changes of {product.name}, from the refarch catalog.")
    feed.author({"name": "refarch catalog"})
    feed.link(href=f"{base}{ATOM}", rel="self", type="application/atom+xml")
    feed.generator("refarch")
    feed.language("en")
    # The feed changes when its newest entry does; without entries, when the release list was last checked.
    feed.updated(_utc(events[0].day if events else catalog.releases.verified))
    for event in reversed(events):  # feedgen prepends each entry: add oldest first so the newest leads
        entry = feed.add_entry()
        entry.id(event.id)
        entry.title(event.title)
        entry.updated(_utc(event.day))
        entry.published(_utc(event.day))
        entry.content(event.text, type="text")
    text: bytes = feed.atom_str(pretty=True)
    return text.decode("utf-8")


def end_of_support_groups(catalog: Catalog) -> list[tuple[str, list[str], dt.date]]:
    """(what, minors, day) per end of support: a whole major when all its minors leave on one day, else each minor."""
    by_major: dict[str, list[tuple[str, dt.date | None]]] = {}
    for release in catalog.releases.releases:
        by_major.setdefault(release.version.split(".")[0], []).append((release.version, end_of_support(catalog, release)))
    out: list[tuple[str, list[str], dt.date]] = []
    for major, minors in by_major.items():
        days = {day for _, day in minors}
        first = minors[0][1]
        if len(days) == 1 and first is not None and len(minors) > 1:
            out.append((f"{major}.x", [v for v, _ in minors], first))
        else:
            out += [(version, [version], day) for version, day in minors if day is not None]
    return sorted(out, key=lambda g: (g[2], version_key(g[1][0])))


def _listed(minors: list[str]) -> str:
    return f"{minors[0]} to {minors[-1]}" if len(minors) > 1 else minors[0]


def end_of_support_calendar(catalog: Catalog) -> str:
    """An iCalendar file with one all-day event per end of support and a display alarm ALARM_DAYS before it."""
    from icalendar import Alarm, Calendar
    from icalendar import Event as CalendarEvent

    product = catalog.product
    calendar = Calendar()
    calendar.add("prodid", f"-//refarch//{product.name} end of support//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", f"{product.name} end of support")
    stamp = _utc(catalog.releases.verified)  # DTSTAMP: when the information was last checked, so rebuilds are identical
    for what, minors, day in end_of_support_groups(catalog):
        event = CalendarEvent()
        event.add("uid", f"end-of-support-{what}@{product.id}.refarch.invalid")
        event.add("dtstamp", stamp)
        event.add("dtstart", day)
        event.add("dtend", day + dt.timedelta(days=1))
        event.add("summary", f"{product.name} {what} leaves support")
        event.add("description", f"{product.name} {_listed(minors)} is no longer supported from {day}. {product.support_policy.summary}")
        event.add("transp", "TRANSPARENT")
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", f"{product.name} {what} leaves support in {ALARM_DAYS} days, on {day}")
        alarm.add("trigger", -dt.timedelta(days=ALARM_DAYS))
        event.add_component(alarm)
        calendar.add_component(event)
    ical: bytes = calendar.to_ical()
    return ical.decode("utf-8")


def badges(catalog: Catalog, as_of: dt.date) -> dict[str, dict[str, object]]:
    """File name -> shields.io endpoint JSON: the latest release on `as_of`, and each method's level at it."""
    released = [r for r in catalog.releases.releases if r.released <= as_of] or catalog.releases.releases[:1]
    latest = released[-1]
    labels: dict[str, str] = {level.id: level.label for level in catalog.support_levels.levels}
    out: dict[str, dict[str, object]] = {
        "latest-release.json": {"schemaVersion": 1, "label": "latest release", "message": latest.latest_patch, "color": "blue"}
    }
    for method in catalog.methods.values():
        level = level_at(method.lifecycle, method.level, latest.version)
        out[f"method-{method.id}.json"] = {
            "schemaVersion": 1,
            "label": method.name,
            "message": labels.get(level, level),
            "color": LEVEL_COLORS.get(level, "lightgrey"),
        }
    return out


LIBRARY_MADE = (ATOM, ICS)
"""The feed files made by feedgen and icalendar: importing those (and lxml) is most of the feeds' cost, so the site
build makes them beside the pages, in another process (see site.generate_and_build)."""


def feed_files(catalog: Catalog, as_of: dt.date, library_made: bool = True) -> dict[str, str]:
    """Path under generated/ -> text, for every feed file (without the LIBRARY_MADE ones if not `library_made`)."""
    out = library_feeds(catalog, as_of) if library_made else {}
    for name, badge in badges(catalog, as_of).items():
        out[f"{BADGES}/{name}"] = json.dumps(badge, indent=2, sort_keys=True) + "\n"
    return out


def library_feeds(catalog: Catalog, as_of: dt.date) -> dict[str, str]:
    """The Atom feed and the calendar: path under generated/ -> text."""
    return {ATOM: atom_feed(catalog, as_of), ICS: end_of_support_calendar(catalog)}


def feed_links(files: dict[str, str]) -> dict[str, object]:
    """What the releases page links: the feed, the calendar and the badges (paths relative to generated/)."""
    return {
        "atom": ATOM,
        "calendar": ICS,
        "alarm_days": ALARM_DAYS,
        "badges": [{"path": path, **json.loads(text)} for path, text in sorted(files.items()) if path.startswith(BADGES + "/")],
    }

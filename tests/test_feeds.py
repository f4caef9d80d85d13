"""The lifecycle feeds: the Atom feed against RFC 4287's requirements, the calendar read back with icalendar,
the badges against the shields.io endpoint schema; entries are stable from one build to the next."""

from __future__ import annotations

import datetime as dt
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest
from icalendar import Calendar

from refarch.feeds import ATOM, BADGES, ICS, feed_files
from refarch.lifecycle import end_of_support, level_at
from refarch.loading import Catalog
from refarch.models import minor_of
from refarch.site import pages

NS = {"a": "http://www.w3.org/2005/Atom"}
AS_OF = dt.date(2026, 12, 1)
RFC3339 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$")
IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:\S+$")
SHIELDS_COLORS = {
    "brightgreen",
    "green",
    "yellowgreen",
    "yellow",
    "orange",
    "red",
    "blue",
    "lightgrey",
    "grey",
    "gray",
    "success",
    "important",
    "critical",
    "informational",
    "inactive",
}
SCHEMA = json.loads((Path(__file__).parent / "data" / "feeds" / "shields-endpoint.schema.json").read_text(encoding="utf-8"))


def atom(catalog: Catalog, as_of: dt.date) -> ET.Element:
    return ET.fromstring(feed_files(catalog, as_of)[ATOM].encode("utf-8"))


def one(element: ET.Element, tag: str) -> str:
    found = element.findall(f"a:{tag}", NS)
    assert len(found) == 1, f"exactly one atom:{tag} is required, found {len(found)}"
    return found[0].text or ""


def entries(feed: ET.Element) -> dict[str, dict[str, str]]:
    out = {}
    for entry in feed.findall("a:entry", NS):
        data = {tag: one(entry, tag) for tag in ("id", "title", "updated")}
        data["content"] = one(entry, "content")
        assert data["id"] not in out, f"duplicate entry id {data['id']}"
        out[data["id"]] = data
    return out


def test_the_atom_feed_meets_rfc_4287(catalog: Catalog) -> None:
    feed = atom(catalog, AS_OF)
    assert feed.tag == "{http://www.w3.org/2005/Atom}feed"
    assert IRI.match(one(feed, "id")) and one(feed, "title") and RFC3339.match(one(feed, "updated"))
    assert feed.findall("a:author/a:name", NS), "a feed-level author covers every entry (RFC 4287 4.1.1)"
    found = entries(feed)
    assert found
    for entry in found.values():
        assert IRI.match(entry["id"]) and entry["title"] and RFC3339.match(entry["updated"]), entry
    newest = max(dt.datetime.fromisoformat(e["updated"]) for e in found.values())
    assert dt.datetime.fromisoformat(one(feed, "updated")) == newest


def test_the_feed_has_one_entry_per_release_end_of_support_and_method_change(catalog: Catalog) -> None:
    ids = set(entries(atom(catalog, AS_OF)))
    released = {r.version: r.released for r in catalog.releases.releases}
    for release in catalog.releases.releases:
        assert any(i.endswith(f"/release/{release.version}") for i in ids) == (release.released <= AS_OF), release.version
        eol = end_of_support(catalog, release)
        if eol is not None and eol <= AS_OF:
            major = release.version.split(".")[0]
            assert any(i.endswith((f"/end-of-support/{release.version}", f"/end-of-support/{major}.x")) for i in ids), release.version
    for method in catalog.methods.values():
        for point in ("introduced", "deprecated", "removed"):
            version = getattr(method.lifecycle, point)
            dated = version is not None and released.get(minor_of(version), AS_OF + dt.timedelta(days=1)) <= AS_OF
            assert any(i.endswith(f"/method/{method.id}/{point}") for i in ids) == dated, (method.id, point)


def test_feed_entries_are_stable_from_build_to_build(catalog: Catalog) -> None:
    """A later build keeps every earlier entry as it was, so readers do not see old entries as new."""
    before, later = entries(atom(catalog, dt.date(2026, 3, 1))), entries(atom(catalog, AS_OF))
    assert set(before) < set(later)
    for entry_id, entry in before.items():
        assert later[entry_id] == entry
    assert feed_files(catalog, AS_OF)[ATOM] == feed_files(catalog, AS_OF)[ATOM]


def test_the_calendar_has_an_event_with_an_alarm_per_end_of_support(catalog: Catalog) -> None:
    text = feed_files(catalog, AS_OF)[ICS]
    calendar = Calendar.from_ical(text)
    assert str(calendar["VERSION"]) == "2.0" and str(calendar["PRODID"])
    events = list(calendar.walk("VEVENT"))
    uids = [str(e["UID"]) for e in events]
    assert len(set(uids)) == len(uids)
    for event in events:
        assert isinstance(event.decoded("DTSTART"), dt.date) and event.decoded("DTSTAMP") and str(event["SUMMARY"])
        alarms = event.walk("VALARM")
        assert len(alarms) == 1 and str(alarms[0]["ACTION"]) == "DISPLAY" and str(alarms[0]["DESCRIPTION"])
        assert alarms[0].decoded("TRIGGER") < dt.timedelta(0), "the alarm goes off before the day"
    by_day: dict[dt.date, list[str]] = {}
    for event in events:
        by_day.setdefault(event.decoded("DTSTART"), []).append(str(event["UID"]))
    for release in catalog.releases.releases:
        eol = end_of_support(catalog, release)
        if eol is None:
            continue
        major = release.version.split(".")[0]
        covering = [u for u in by_day.get(eol, []) if u.startswith((f"end-of-support-{release.version}@", f"end-of-support-{major}.x@"))]
        assert len(covering) == 1, (release.version, eol)
    assert Calendar.from_ical(text).to_ical().decode("utf-8") == text, "icalendar reads back exactly what was written"


def test_the_badges_follow_the_shields_endpoint_schema(catalog: Catalog) -> None:
    files = feed_files(catalog, AS_OF)
    badges = {path.removeprefix(BADGES + "/"): json.loads(text) for path, text in files.items() if path.startswith(BADGES + "/")}
    for badge in badges.values():
        jsonschema.validate(badge, SCHEMA)
        assert badge["color"] in SHIELDS_COLORS
    latest = [r for r in catalog.releases.releases if r.released <= AS_OF][-1]
    assert badges["latest-release.json"]["message"] == latest.latest_patch
    labels = {level.id: level.label for level in catalog.support_levels.levels}
    for method in catalog.methods.values():
        assert badges[f"method-{method.id}.json"]["message"] == labels[level_at(method.lifecycle, method.level, latest.version)]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({**badges["latest-release.json"], "message": ""}, SCHEMA)


def test_the_releases_page_links_every_feed(catalog: Catalog) -> None:
    generated = pages(catalog, AS_OF)
    links = set(re.findall(r"\]\((feeds/[^)]+)\)", generated["releases.md"]))
    assert links == {path for path in generated if path.startswith("feeds/")}

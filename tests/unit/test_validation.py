"""Unit tests for domain.validation: titles, user names, timestamps, timezones and URLs."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta, timezone

import pytest

from domain.validation import (
    NAMESPACE_IDS,
    PageTitle,
    is_valid_timezone,
    is_valid_url,
    local_to_utc,
    normalise_username,
    parse_timestamp,
    parse_title,
    utc_offset_at,
)

# Titles


@pytest.mark.parametrize(
    ("raw", "namespace", "text"),
    [
        ("Event:PeerTest One", "Event", "PeerTest One"),
        ("Event:PeerTest_One", "Event", "PeerTest One"),
        ("event:foo bar", "Event", "Foo bar"),
        ("EVENT:foo", "Event", "Foo"),
        ("  Event:Foo  ", "Event", "Foo"),
        ("Event : Foo", "Event", "Foo"),
        ("Event:__Foo___bar__", "Event", "Foo bar"),
        ("Event:Foo \t\n", "Event", "Foo"),
        (":Event:Foo", "Event", "Foo"),
        (": Event:Foo", "Event", "Foo"),
        ("Event talk:Foo", "Event talk", "Foo"),
        ("event_talk:foo", "Event talk", "Foo"),
        ("Project:Foo", "Project", "Foo"),
        ("Project talk:Foo", "Project talk", "Foo"),
        ("user_TALK:bob", "User talk", "Bob"),
        ("mediawiki:common.css", "MediaWiki", "Common.css"),
        ("Category:Events", "Category", "Events"),
        ("Special:RecentChanges", "Special", "RecentChanges"),
        ("Media:Foo.png", "Media", "Foo.png"),
        ("foo", "", "Foo"),
        ("Main Page", "", "Main Page"),
        ("Main:Foo", "", "Main:Foo"),
        ("Image:Foo.png", "", "Image:Foo.png"),
        ("WP:Foo", "", "WP:Foo"),
        ("Wikipedia:Foo", "", "Wikipedia:Foo"),
        ("Talk:Foo:bar", "Talk", "Foo:bar"),
        ("Event:Talk:Foo", "Event", "Talk:Foo"),
        ("Event:Foo/Bar", "Event", "Foo/Bar"),
        ("Event:100%", "Event", "100%"),
        ("Event:...", "Event", "..."),
        ("Event:a/.b", "Event", "A/.b"),
        ("Event:AT&T", "Event", "AT&T"),
        ("Event:~~", "Event", "~~"),
        ("Event:ßtraße", "Event", "ßtraße"),
        ("Event:ñandú", "Event", "Ñandú"),
        ("Event:élan", "Event", "Élan"),
        ("Event:Foo\u00a0bar", "Event", "Foo bar"),
        ("Event:Foo\u3000bar", "Event", "Foo bar"),
        ("Event:Foo\u200ebar", "Event", "Foobar"),
        ("Event:e\u0301", "Event", "\u00c9"),
    ],
)
def test_parse_title_normalises(raw: str, namespace: str, text: str) -> None:
    assert parse_title(raw) == PageTitle(namespace, text)


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "   ",
        "_",
        ":",
        "Event:",
        "Event: ",
        "Event:_",
        "Talk:",
        "Event:<bad>",
        "Event:a>b",
        "Event:Foo#section",
        "#section",
        "Event:[x]",
        "Event:a|b",
        "Event:{x}",
        "Event:a\x00b",
        "Event:a\tb",
        "Event:a\x7fb",
        "Event:a\x85b",
        "Event:a\ufffdb",
        "Event:Foo%41",
        "Event:%2F",
        "Event:a&amp;b",
        "Event:Sign ~~~",
        "Event:~~~~",
        "Event:.",
        "Event:..",
        "Event:./Foo",
        "Event:../Foo",
        "Event:Foo/./Bar",
        "Event:Foo/../Bar",
        "Event:Foo/.",
        "Event:Foo/..",
        "Event::Foo",
        "Event: :Foo",
        "::Foo",
        "Talk:File:Foo",
        "Talk:Event:Foo",
        "Talk:user talk:Foo",
        "Event:" + "x" * 256,
        "Event:" + "é" * 128,
        "Special:" + "x" * 513,
    ],
)
def test_parse_title_rejects(raw: str) -> None:
    assert parse_title(raw) is None


@pytest.mark.parametrize(
    ("raw", "valid"),
    [
        ("Event:" + "x" * 255, True),
        ("Event:" + "x" * 256, False),
        ("Event:" + "é" * 127 + "x", True),
        ("Event:" + "é" * 127 + "xx", False),
        ("Special:" + "x" * 512, True),
    ],
)
def test_parse_title_limits_bytes_not_characters(raw: str, valid: bool) -> None:
    assert (parse_title(raw) is not None) is valid


@pytest.mark.parametrize(
    ("raw", "prefixed", "dbkey"),
    [
        ("Event:foo bar", "Event:Foo bar", "Event:Foo_bar"),
        ("foo_bar", "Foo bar", "Foo_bar"),
        ("user talk:a b c", "User talk:A b c", "User_talk:A_b_c"),
    ],
)
def test_page_title_prefixed_and_dbkey(raw: str, prefixed: str, dbkey: str) -> None:
    title = parse_title(raw)
    assert title is not None
    assert (title.prefixed, title.dbkey) == (prefixed, dbkey)


def test_page_title_is_frozen() -> None:
    title = PageTitle("Event", "Foo")
    with pytest.raises(dataclasses.FrozenInstanceError):
        title.text = "Bar"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("name", "number"),
    [
        ("", 0),
        ("Talk", 1),
        ("User", 2),
        ("User talk", 3),
        ("Project", 4),
        ("File", 6),
        ("MediaWiki", 8),
        ("Template", 10),
        ("Help", 12),
        ("Category", 14),
        ("Category talk", 15),
        ("Special", -1),
        ("Media", -2),
        ("Event", 1728),
        ("Event talk", 1729),
    ],
)
def test_namespace_ids(name: str, number: int) -> None:
    assert NAMESPACE_IDS[name] == number


def test_namespace_table_is_exactly_the_canonical_set() -> None:
    assert len(NAMESPACE_IDS) == 20
    assert "Image" not in NAMESPACE_IDS
    assert "Main" not in NAMESPACE_IDS


def test_every_namespace_name_round_trips() -> None:
    for name in NAMESPACE_IDS:
        title = parse_title(f"{name}:Foo" if name else "Foo")
        assert title == PageTitle(name, "Foo")


# User names


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("alice", "Alice"),
        ("Alice", "Alice"),
        ("  bob  ", "Bob"),
        ("bob_smith", "Bob smith"),
        ("bob__ _smith", "Bob smith"),
        ("bob   smith", "Bob smith"),
        ("élodie", "Élodie"),
        ("ßtefan", "ßtefan"),
        ("x" * 85, "X" + "x" * 84),
        ("Foo.Bar", "Foo.Bar"),
        ("1.2.3", "1.2.3"),
        ("1.2.3.4.5", "1.2.3.4.5"),
        ("Admin (WMF)", "Admin (WMF)"),
    ],
)
def test_normalise_username_accepts(raw: str, expected: str) -> None:
    assert normalise_username(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "   ",
        "___",
        "x" * 86,
        "a#b",
        "a<b",
        "a>b",
        "a[b",
        "a]b",
        "a|b",
        "a{b",
        "a}b",
        "a/b",
        "a@b",
        "a:b",
        "User:Alice",
        "a\x00b",
        "a\tb",
        "a\x9fb",
        "1.2.3.4",
        "127.0.0.1",
        "999.999.999.999",
        "1.2.3.xxx",
        "::1",
        "2001:db8::1",
        "Foo%41",
        ".",
        "..",
        "~~~",
    ],
)
def test_normalise_username_rejects(raw: str) -> None:
    assert normalise_username(raw) is None


# Timestamps


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("20300101100000", "20300101100000"),
        (20300101100000, "20300101100000"),
        ("2030-01-01T10:00:00Z", "20300101100000"),
        ("2030-01-01T10:00:00", "20300101100000"),
        ("2030-01-01T10:00:00+05:00", "20300101100000"),
        ("2030-01-01T10:00:00-08:00", "20300101100000"),
        ("2030-01-01T10:00:00.5Z", "20300101100000"),
        ("2030-01-01T10:00:00.123456+01:00", "20300101100000"),
        ("2030-01-01 10:00:00", "20300101100000"),
        ("2024-02-29T23:59:59Z", "20240229235959"),
        (0, "19700101000000"),
        ("0", "19700101000000"),
        (1893492000, "20300101100000"),
        ("1893492000", "20300101100000"),
        (-1, "19691231235959"),
        ("-1", "19691231235959"),
        ("00010101000000", "00010101000000"),
        ("99991231235959", "99991231235959"),
        ("0999-05-06T07:08:09Z", "09990506070809"),
    ],
)
def test_parse_timestamp_normalises(value: object, expected: str) -> None:
    assert parse_timestamp(value) == expected


@pytest.mark.parametrize(
    "value",
    [
        True,
        False,
        None,
        1.5,
        20300101100000.0,
        [20300101100000],
        {"t": 1},
        "",
        "notatime",
        "tomorrow",
        "2030-01-01",
        "2030-01-01T10:00",
        "2030-01-01T10:00:00+0500",
        "2030-01-01T10:00:00 Z",
        " 20300101100000",
        "20300101100000 ",
        "2030010110000",
        "203001011000000",
        "20301301000000",
        "20300230000000",
        "20300101240000",
        "20300101106000",
        "20300101100060",
        "00000101000000",
        "2023-02-29T00:00:00Z",
        "2030-13-01 00:00:00",
        "٢٠٣٠٠١٠١١٠٠٠٠٠",
        10**20,
        -(10**20),
        -20300101100000,
        253402300800,
        "253402300800",
        "9999999999999",
        "-62135596801",
    ],
)
def test_parse_timestamp_rejects(value: object) -> None:
    assert parse_timestamp(value) is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (10000101000000, "10000101000000"),  # 14 digits: TS_MW
        (99999999999999, None),  # 14 digits, month 99: not re-read as Unix seconds
        (9999999999999, None),  # 13 digits: Unix seconds, beyond year 9999
        (253402300799, "99991231235959"),  # Unix seconds, last second of year 9999
        (-62135596800, "00010101000000"),  # Unix seconds, first second of year 1
    ],
)
def test_parse_timestamp_int_forms(value: int, expected: str | None) -> None:
    assert parse_timestamp(value) == expected


# Timezones


@pytest.mark.parametrize(
    "tz",
    [
        "Europe/Rome",
        "America/New_York",
        "America/Argentina/Buenos_Aires",
        "America/Port-au-Prince",
        "Etc/GMT+5",
        "Asia/Kolkata",
        "UTC",
        "utc",
        "GMT",
        "+05:30",
        "-05:30",
        "+00:00",
        "-00:00",
        "+23:59",
        "-23:00",
        "+02:00",
        "CEST",
        "cest",
        "Cest",
        "EST",
        "IST",
        "AEDT",
        "WIB",
    ],
)
def test_valid_timezones(tz: str) -> None:
    assert is_valid_timezone(tz)


@pytest.mark.parametrize(
    "tz",
    [
        "",
        " ",
        " UTC",
        "UTC ",
        "Z",
        "Mars/Olympus_Mons",
        "europe/rome",
        "Europe",
        "Europe/",
        "/Europe/Rome",
        "../etc",
        "../../etc/passwd",
        "Europe/../Europe/Rome",
        "localtime",
        "posixrules",
        "+100:00",
        "+02:130",
        "+99:99",
        "+99:60",
        "+24:00",
        "+2:00",
        "+0200",
        "+02",
        "+02:00 ",
        "05:30",
        "CESTX",
        "XYZ",
    ],
)
def test_invalid_timezones(tz: str) -> None:
    assert not is_valid_timezone(tz)


@pytest.mark.parametrize(
    ("tz", "local", "offset"),
    [
        ("+05:30", datetime(2030, 1, 1), timedelta(hours=5, minutes=30)),
        ("-05:30", datetime(2030, 1, 1), -timedelta(hours=5, minutes=30)),
        ("-00:00", datetime(2030, 1, 1), timedelta(0)),
        ("UTC", datetime(2030, 7, 1), timedelta(0)),
        ("CEST", datetime(2030, 1, 1), timedelta(hours=2)),
        ("cet", datetime(2030, 7, 1), timedelta(hours=1)),
        ("IST", datetime(2030, 1, 1), timedelta(hours=5, minutes=30)),
        ("EST", datetime(2030, 7, 1), timedelta(hours=-5)),
        ("PDT", datetime(2030, 1, 1), timedelta(hours=-7)),
        ("ACDT", datetime(2030, 1, 1), timedelta(hours=10, minutes=30)),
        ("NZDT", datetime(2030, 1, 1), timedelta(hours=13)),
        ("HST", datetime(2030, 1, 1), timedelta(hours=-10)),
        ("Europe/Rome", datetime(2030, 1, 1, 12), timedelta(hours=1)),
        ("Europe/Rome", datetime(2030, 7, 1, 12), timedelta(hours=2)),
        ("America/New_York", datetime(2030, 7, 1, 12), timedelta(hours=-4)),
        ("Asia/Kolkata", datetime(2030, 7, 1, 12), timedelta(hours=5, minutes=30)),
        # Ambiguous hour at the end of DST: fold=0 takes the first (summer) reading.
        ("Europe/Rome", datetime(2030, 10, 27, 2, 30), timedelta(hours=2)),
        ("Europe/Rome", datetime(2030, 10, 27, 2, 30, fold=1), timedelta(hours=2)),
        # Non-existent hour at the start of DST: fold=0 takes the offset before the gap.
        ("Europe/Rome", datetime(2030, 3, 31, 2, 30), timedelta(hours=1)),
        # An aware input is read as naive wall-clock time.
        ("Europe/Rome", datetime(2030, 7, 1, 12, tzinfo=UTC), timedelta(hours=2)),
    ],
)
def test_utc_offset_at(tz: str, local: datetime, offset: timedelta) -> None:
    assert utc_offset_at(tz, local) == offset


@pytest.mark.parametrize("tz", ["", "Mars/Olympus_Mons", "+99:99", "../etc"])
def test_utc_offset_at_rejects_invalid_timezone(tz: str) -> None:
    with pytest.raises(ValueError):
        utc_offset_at(tz, datetime(2030, 1, 1))


@pytest.mark.parametrize(
    ("ts", "tz", "expected"),
    [
        ("20300101100000", "Europe/Rome", datetime(2030, 1, 1, 9, tzinfo=UTC)),
        ("20300701100000", "Europe/Rome", datetime(2030, 7, 1, 8, tzinfo=UTC)),
        ("20300101100000", "+05:30", datetime(2030, 1, 1, 4, 30, tzinfo=UTC)),
        ("20300101100000", "-05:30", datetime(2030, 1, 1, 15, 30, tzinfo=UTC)),
        ("20300101100000", "CEST", datetime(2030, 1, 1, 8, tzinfo=UTC)),
        ("20300101100000", "UTC", datetime(2030, 1, 1, 10, tzinfo=UTC)),
        ("20300101003000", "America/New_York", datetime(2030, 1, 1, 5, 30, tzinfo=UTC)),
        ("20301231230000", "-02:00", datetime(2031, 1, 1, 1, tzinfo=UTC)),
    ],
)
def test_local_to_utc(ts: str, tz: str, expected: datetime) -> None:
    result = local_to_utc(ts, tz)
    assert result == expected
    assert result.utcoffset() == timedelta(0)
    assert result.tzinfo is UTC


@pytest.mark.parametrize(
    ("ts", "tz"),
    [
        ("20300101100000", "Mars/Olympus_Mons"),
        ("20300101100000", "+24:00"),
        ("2030-01-01T10:00:00Z", "UTC"),
        ("1893492000", "UTC"),
        ("20301301000000", "UTC"),
        ("", "UTC"),
        ("00010101000000", "+05:00"),
        ("99991231235959", "-05:00"),
    ],
)
def test_local_to_utc_rejects(ts: str, tz: str) -> None:
    with pytest.raises(ValueError):
        local_to_utc(ts, tz)


def test_local_to_utc_applies_the_zone_rules_of_that_date() -> None:
    result = local_to_utc("20300615120000", "America/Los_Angeles")
    assert result == datetime(2030, 6, 15, 12, tzinfo=timezone(timedelta(hours=-7)))


# URLs


@pytest.mark.parametrize(
    "url",
    [
        "https://example.org",
        "http://example.org",
        "//example.org",
        "HTTPS://EXAMPLE.ORG",
        "Http://example.org",
        "https://example.org/",
        "https://meet.example.org/abc",
        "https://chat.example.org/room?x=1&y=2#frag",
        "https://testchat.com/Iñtërnâtiônàlizætiøn",
        "https://example.org/a%20b",
        "https://example.org/(x)[y]{z}|~^`\\",
        "https://example.org:8080/path",
        "https://example.org:65535",
        "https://example.org:",
        "https://user:pass@example.org/",
        "https://user%40x@example.org/",
        "https://ñandú.com",
        "https://bücher.example/straße",
        "https://xn--bcher-kva.example",
        "https://example.org.",
        "https://localhost",
        "https://127.0.0.1:8000/x",
        "https://[::1]/",
        "https://[2001:db8::1]:443/",
        "https://[::ffff:192.0.2.1]/",
        "https://[1:2:3:4:5:6:7:8]/",
        "https://[1:2:3:4:5:6::7]/",
        "https://a-b.example.org",
        "https://" + "a" * 63 + ".org",
        "  https://example.org  ",
        "\t\nhttps://example.org\r\n",
        "https://example.org?query",
        "https://example.org#frag",
    ],
)
def test_valid_urls(url: str) -> None:
    assert is_valid_url(url)


@pytest.mark.parametrize(
    "url",
    [
        "",
        "   ",
        "foo://abc.org",
        "ftp://x",
        "ftp://example.org/file",
        "mailto:someone@example.org",
        "javascript://example.org/%0Aalert(1)",
        "not-an-url",
        "not a url",
        "example.org",
        "https:example.org",
        "https:/example.org",
        "https://",
        "//",
        "///path",
        "https:///path",
        "https://$%&/()=",
        "http://exa mple.org",
        "https://example.org/a b",
        "https://example.org/\tx",
        "https://example.org/a\x00b",
        "https://example.org/a\x85b",
        "https://example.org/a\u3000b",
        "https://example.org/\u3000",
        "\u00a0https://example.org",
        "https://exa\nmple.org",
        "https://a_b.org",
        "https://-a.org",
        "https://a-.org",
        "https://a..b",
        "https://.example.org",
        "https://" + "a" * 64 + ".org",
        "https://" + "a." * 127 + "ab",
        "https://example.org:99999",
        "https://example.org:65536",
        "https://example.org:8o",
        "https://example.org:-1",
        "https://example.org:80:80",
        "https://user name@example.org",
        "https://us<er@example.org",
        "https://a@b@example.org",
        "https://[::1",
        "https://[::g]/",
        "https://[1:2:3:4:5:6:7:8:9]/",
        "https://[1::2::3]/",
        "https://[1:2:3:4::5:6:7:8]/",
        "https://[::1.2.3.256]/",
        "https://[1.2.3.4]/",
        "https://[::1]x/",
        "https://example.org\\@evil.org",
        "https://\ufffd.org",
    ],
)
def test_invalid_urls(url: str) -> None:
    assert not is_valid_url(url)

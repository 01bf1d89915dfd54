"""Rich content on an EventRegistration: the sanitizer (a corpus of hostile HTML), the plain text,
location and venue rules, tags and prefix, and the facts recorded (who, when, replay)."""

from __future__ import annotations

import pytest
from eventsourcing.application import project_aggregate

from domain import content, errors
from domain.content import ContentInput, content_of, set_content
from tests.unit.domain.factories import NOW, account, organizer, registration

HOSTILE = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    '<img src=x onerror="alert(1)">',
    '<p onclick="alert(1)">click</p>',
    '<a href="javascript:alert(1)">x</a>',
    '<a href="JaVaScRiPt:alert(1)">x</a>',
    '<a href="  javascript:alert(1)">x</a>',
    '<a href="java&#x09;script:alert(1)">x</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
    '<a href="vbscript:msgbox(1)">x</a>',
    '<iframe src="https://evil.example"></iframe>',
    '<svg onload="alert(1)"><circle/></svg>',
    "<math><mtext><script>alert(1)</script></mtext></math>",
    '<style>body{background:url("javascript:alert(1)")}</style>',
    '<p style="background:url(javascript:alert(1))">styled</p>',
    "<div><script>alert(1)",  # unclosed
    "<scr<script>ipt>alert(1)</scr</script>ipt>",  # nested tricks
    "<<script>script>alert(1)//<</script>/script>",
    "<!--<script>alert(1)</script>-->",
    '<form action="https://evil.example"><input name=x></form>',
    '<object data="evil.swf"></object><embed src="evil.swf">',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<base href="javascript:alert(1)//">',
    '<a href="https://ok.example" onmouseover="alert(1)">ok</a>',
    '<table background="javascript:alert(1)"><tr><td>x</td></tr></table>',
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>"></noscript>',
    "<p>text</p><template><script>alert(1)</script></template>",
]
DANGEROUS = ("<script", "onerror", "onclick", "onload", "onmouseover", "javascript:", "vbscript:", "data:",
             "<iframe", "<svg", "<style", "style=", "<form", "<input", "<object", "<embed", "<meta", "<base",
             "<img", "background=", "<math", "<template", "<noscript")  # fmt: skip


@pytest.mark.parametrize("hostile", HOSTILE)
def test_nothing_hostile_survives(hostile: str) -> None:
    clean = content.sanitize_html(hostile).lower()
    for needle in DANGEROUS:
        assert needle not in clean, (hostile, clean)
    assert content.sanitize_html(clean) == clean  # sanitizing is a fixed point


@pytest.mark.parametrize(
    ("harmless", "kept"),
    [
        ("<p>Hello <strong>world</strong></p>", "<p>Hello <strong>world</strong></p>"),
        ("<ul><li>one</li><li>two</li></ul>", "<ul><li>one</li><li>two</li></ul>"),
        ("<ol><li><em>a</em></li></ol>", "<ol><li><em>a</em></li></ol>"),
        (
            '<a href="https://example.org/x?a=1&amp;b=2">link</a>',
            '<a href="https://example.org/x?a=1&amp;b=2" rel="noopener noreferrer">link</a>',
        ),
        (
            '<a href="mailto:a@example.org">mail</a>',
            '<a href="mailto:a@example.org" rel="noopener noreferrer">mail</a>',
        ),
        ("<blockquote>q</blockquote><br>", "<blockquote>q</blockquote><br>"),
        ("<p>1 &lt; 2 &amp; 3</p>", "<p>1 &lt; 2 &amp; 3</p>"),
    ],
)
def test_harmless_markup_is_kept(harmless: str, kept: str) -> None:
    assert content.sanitize_html(harmless) == kept


def test_unclosed_tags_are_closed() -> None:
    assert content.sanitize_html("<p><strong>bold") == "<p><strong>bold</strong></p>"


def test_plain_text_keeps_blocks_on_their_own_lines() -> None:
    clean = content.sanitize_html("<p>Hello  <b>world</b></p><ul><li>one &amp; two</li><li>three</li></ul>")
    assert content.plain_text(clean) == "Hello world\none & two\nthree"


def test_description_is_stored_sanitized_with_its_text_and_author() -> None:
    olga = organizer()
    reg = registration(olga)
    given = ContentInput(description_html='<p onclick="x()">Meet <script>evil()</script>us</p>')
    assert set_content(reg, olga, given, NOW)
    fact = reg.collect_events()[-1]
    assert isinstance(fact, content.DescriptionChanged)
    assert (fact.html, fact.text, fact.performed_by, fact.timestamp) == (
        "<p>Meet us</p>",
        "Meet us",
        olga.user_id,
        NOW,
    )
    assert content_of(reg).description_html == "<p>Meet us</p>"
    assert not set_content(reg, olga, given, NOW)  # the same again: nothing recorded


def test_only_organizers_change_content_and_not_once_deleted() -> None:
    olga, other = organizer(), organizer("Oscar")
    reg = registration(olga)
    with pytest.raises(content.ContentDenied):
        set_content(reg, other, ContentInput(tags=["x"]), NOW)
    with pytest.raises(content.ContentDenied):
        set_content(reg, None, ContentInput(tags=["x"]), NOW)
    reg.delete(olga, NOW)
    with pytest.raises(errors.EditRegistrationDeleted):
        set_content(reg, olga, ContentInput(tags=["x"]), NOW)


def test_description_length_is_bounded() -> None:
    olga = organizer()
    with pytest.raises(content.DescriptionTooLong):
        set_content(registration(olga), olga, ContentInput(description_html="x" * 65_537), NOW)


def test_location_rules() -> None:
    ok = content.location_from({"latitude": -90, "longitude": 180, "country": "fr", "city": " Lyon "})
    assert (ok.latitude, ok.longitude, ok.country, ok.city) == (-90.0, 180.0, "FR", "Lyon")
    for bad in (
        {"latitude": 90.1, "longitude": 0},
        {"latitude": 0, "longitude": -180.5},
        {"latitude": 1},  # both or neither
        {"latitude": True, "longitude": 0},
        {"latitude": "1", "longitude": 0},
        {"country": "FRA", "city": "Paris"},
        {"country": "F1", "city": "Paris"},
        {"city": "x" * 256},
        {"address_lines": ["a"] * 6},
        {"address_lines": "Main St"},
        {"postal_code": "1" * 21, "city": "x"},
        {"city": "bad\x00"},
        {},  # neither coordinates nor an address
        {"street": "unknown key"},
    ):
        with pytest.raises(content.InvalidLocation):
            content.location_from(bad)
    assert content.location_from({"address_lines": ["1 Main St", " "], "postal_code": "69001"}).text == (
        "1 Main St, 69001"
    )


def test_location_or_venue_never_both() -> None:
    olga = organizer()
    reg = registration(olga)
    with pytest.raises(content.LocationAndVenue):
        set_content(reg, olga, ContentInput(location={"city": "Lyon"}, venue={"title": "Hall"}), NOW)
    set_content(
        reg, olga, ContentInput(venue={"title": "Hall", "address": {"city": "Lyon", "country": "FR"}}), NOW
    )
    assert content_of(reg).venue == {
        "title": "Hall",
        "description": None,
        "address": {
            "latitude": None, "longitude": None, "address_lines": [], "city": "Lyon",
            "region": None, "country": "FR", "postal_code": None,
        },
    }  # fmt: skip
    assert content_of(reg).location is None
    set_content(reg, olga, ContentInput(location={"latitude": 45.76, "longitude": 4.83}), NOW)
    assert (content_of(reg).venue, content_of(reg).location["latitude"]) == (None, 45.76)  # type: ignore[index]
    set_content(reg, olga, ContentInput(clear_place=True), NOW)
    assert (content_of(reg).venue, content_of(reg).location) == (None, None)
    for bad in (
        {},
        {"title": " "},
        {"title": "x" * 256},
        {"title": "Hall", "address": "Lyon"},
        {"title": "H", "x": 1},
    ):
        with pytest.raises(content.InvalidVenue):
            content.venue_from(bad)


def test_tags_are_normalised_deduplicated_and_bounded() -> None:
    assert content.normalise_tags(["  Social ", "social", "Tráining", "TRÁINING", "a  b"]) == [
        "Social",
        "Tráining",
        "a b",
    ]
    assert content.tag_key("Straße") == content.tag_key("STRASSE")
    assert content.normalise_tags(["t"] * 50) == ["t"]  # duplicates do not count
    with pytest.raises(content.TooManyTags):
        content.normalise_tags([f"t{n}" for n in range(21)])
    for bad in ("", "   ", "x" * 51, "a,b", "tab\tinside\x00", "\x1fa", "a\x1cb", "a\tb", "\x85x"):
        with pytest.raises(content.InvalidTag):  # str.split() would take U+001C..1F, U+0085 for spaces
            content.normalise_tags([bad])
    assert content.normalise_tags(["x" * 50]) == ["x" * 50]


def test_prefix_rules() -> None:
    assert content.normalise_prefix("  Meetup ") == "Meetup"
    assert content.normalise_prefix("") is None
    assert content.normalise_prefix(None) is None
    with pytest.raises(content.InvalidPrefix):
        content.normalise_prefix("a,b")
    with pytest.raises(content.InvalidPrefix):
        content.normalise_prefix("x" * 51)
    for control in ("\x1fMeetup", "Meet\nup", "\x1e"):
        with pytest.raises(content.InvalidPrefix):
            content.normalise_prefix(control)


def test_every_part_is_a_fact_and_replays() -> None:
    olga = organizer()
    reg = registration(olga)
    set_content(
        reg,
        olga,
        ContentInput(
            description_html="<p>Hi</p>",
            location={"city": "Lyon"},
            tags=["a", "B"],
            prefix="Meet",
            set_prefix=True,
        ),
        NOW,
    )
    facts = reg.collect_events()
    kinds = [type(f) for f in facts[1:]]
    assert kinds == [
        content.DescriptionChanged,
        content.PlaceChanged,
        content.TagsChanged,
        content.PrefixChanged,
    ]
    replayed = project_aggregate(None, facts)
    assert content_of(replayed) == content_of(reg)
    assert content_of(replayed).tags == ["a", "B"]


def test_a_blocked_organizer_may_not_change_content() -> None:
    olga = account("Olga", "event-organizer")
    reg = registration(olga)
    olga.block(None, NOW)
    with pytest.raises(content.ContentDenied):
        set_content(reg, olga, ContentInput(tags=["x"]), NOW)

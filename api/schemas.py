"""marshmallow schemas at the edge: request bodies (MediaWiki's parameter rules) and responses.

Field order is the order in which parameters are checked (the first failure is reported) and, for
responses, the key order clients see.
"""

from __future__ import annotations

from typing import Any

from flask import current_app
from marshmallow import Schema, fields

from api.params import BodySchema as BodySchema
from api.params import Bool, Enum, Multi, Str, Timestamp, Title

MAX_WIKIS = 100


def known_wikis() -> tuple[str, ...]:
    return (*current_app.extensions["campaignevents"].settings.known_wikis, "*")


class RegistrationBody(BodySchema):
    """POST /event_registration (the seed's field set)."""

    event_page = Title(
        required=True,
        metadata={
            "description": "Title of the associated event page, e.g. `Event:Foo` (a namespace the "
            "service allows)."
        },
    )
    chat_url = Str(metadata={"description": "Invite link for a chat group"})
    wikis = Multi(
        Str(),
        required=True,
        limit=MAX_WIKIS,
        choices=known_wikis,
        metadata={
            "description": 'List of wiki IDs that this event focuses on, e.g. [ "enwiki", "frwiki" ]. '
            "Up to 100 IDs can be specified. Pass an empty array if the event does not focus on any "
            'wikis. Pass the special value [ "*" ] if the event is open to all wikis. Only the '
            "service's known wiki IDs are accepted."
        },
    )
    tracking_tool_id = Str(
        metadata={
            "description": "ID of a tracking tool to link to the event. Currently, the only supported "
            "tool is the Programs & Events Dashboard, whose ID is wikimedia-pe-dashboard."
        }
    )
    tracking_tool_event_id = Str(
        metadata={
            "description": "Identifier of this event within the tracking tool specified. For the "
            "Programs & Events Dashboard, this corresponds to the course slug "
            '(e.g., "Institution/CourseName").'
        }
    )
    timezone = Str(
        required=True,
        metadata={
            "description": "Timezone identifier to use with the start and end time: an IANA name "
            "(`Europe/Rome`), a UTC offset (`+05:30`) or an abbreviation (`CEST`)."
        },
    )
    start_time = Timestamp(
        required=True,
        metadata={
            "description": 'Timestamp of the event start time, in MW format (e.g., "20220414160000"), '
            "local time. ISO 8601 strings and integers are accepted too.",
            "example": "20300101100000",
        },
    )
    end_time = Timestamp(
        required=True,
        metadata={
            "description": 'Timestamp of the event end time, in MW format (e.g., "20220414180000"), '
            "local time. ISO 8601 strings and integers are accepted too.",
            "example": "20300101180000",
        },
    )
    online_meeting = Bool(metadata={"description": "Whether the event is online"})
    inperson_meeting = Bool(metadata={"description": "Whether the event is in-person"})
    meeting_url = Str(metadata={"description": "For online events, the URL of the video call"})
    meeting_country = Str(
        metadata={"description": "For in-person events, the country where the event takes place"}
    )
    meeting_address = Str(
        max_bytes=8192,
        metadata={"description": "For in-person events, the full address where the event takes place"},
    )


class RegistrationEditBody(RegistrationBody):
    """PUT /event_registration/{id}: a full replacement, plus ``status``."""

    status = Enum(("open", "closed"), required=True, metadata={"description": "Status of the event"})


class IdResponse(Schema):
    id = fields.Integer(required=True, metadata={"description": "ID of the registration"})


class OneOf(fields.Raw):
    """A value of one of several shapes (for the document: dumps the value as it is)."""

    def __init__(self, *choices: fields.Field[Any], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.choices = choices


def _true_only(description: str) -> fields.Boolean:
    """A flag that is either absent or ``true``."""
    return fields.Boolean(metadata={"description": description, "enum": [True]})


def _empty_array(description: str) -> fields.List[Any]:
    """PHP encodes an empty map as ``[]``: the reference sends that, and so do we."""
    return fields.List(fields.Raw(), metadata={"description": description, "maxItems": 0})


class TrackingTool(Schema):
    tool_id = fields.String(required=True, metadata={"description": "ID of the tool"})
    tool_event_id = fields.String(required=True, metadata={"description": "ID of the event within that tool"})


class RegistrationDetails(Schema):
    """GET /event_registration/{id}. ``meeting_url``/``chat_url`` are omitted for viewers who may
    not see them (null when unset)."""

    id = fields.Integer(required=True)
    name = fields.String(
        required=True, metadata={"description": "The event page title without its namespace"}
    )
    event_page = fields.String(
        required=True, metadata={"description": "Event page title, prefixed with the namespace"}
    )
    event_page_wiki = fields.String(
        required=True, metadata={"description": "ID of the wiki where the event page is located"}
    )
    chat_url = fields.String(
        allow_none=True,
        metadata={
            "description": "null when unset; when set, present only for the event's organizers and "
            "active participants who are not blocked"
        },
    )
    wikis = fields.List(
        fields.String(),
        required=True,
        metadata={"description": "Wiki IDs, or the special value `*` for all wikis"},
    )
    tracking_tools = fields.List(fields.Nested(TrackingTool), required=True)
    status = fields.String(required=True, metadata={"enum": ["open", "closed"]})
    timezone = fields.String(required=True, metadata={"description": "Timezone of the event, as given"})
    start_time = fields.String(required=True, metadata={"description": "Timestamp in MW format, local time"})
    end_time = fields.String(required=True, metadata={"description": "Timestamp in MW format, local time"})
    online_meeting = fields.Boolean(required=True)
    inperson_meeting = fields.Boolean(required=True)
    meeting_url = fields.String(
        allow_none=True,
        metadata={
            "description": "null when unset; when set, present only for the event's organizers and "
            "active participants who are not blocked"
        },
    )
    meeting_country = fields.String(required=True, allow_none=True)
    meeting_address = fields.String(required=True, allow_none=True)
    questions = fields.List(
        fields.Integer(),
        required=True,
        metadata={"description": "IDs of the participant questions enabled for the event"},
    )


class ErrorEnvelope(Schema):
    """Every error. Parameter validation failures add ``error`` ... ``failureData`` before
    ``errorKey``; a few rules (e-mail permission) send only ``httpCode`` and ``httpReason``."""

    error = fields.String(metadata={"description": "parameter-validation-failed, when it is one"})
    name = fields.String(metadata={"description": "The failing parameter"})
    value = fields.Raw(allow_none=True, metadata={"description": "The rejected value, as given"})
    failureCode = fields.String(metadata={"description": "missingparam, badinteger, badbool, badvalue, ..."})
    failureData = fields.Raw(allow_none=True)
    errorKey = fields.String(metadata={"description": "The message key"})
    messageTranslations = fields.Dict(
        keys=fields.String(), values=fields.String(), metadata={"description": '{"en": "<English text>"}'}
    )
    httpCode = fields.Integer(required=True)
    httpReason = fields.String(required=True)


class LoginBody(Schema):
    username = Str(required=True)
    password = Str(required=True)


class CsrfToken(Schema):
    token = fields.String(required=True, metadata={"description": "`+\\` when there is no session"})


class LoginResponse(Schema):
    user_id = fields.Integer(required=True)
    user_name = fields.String(required=True)


# --- participants ----------------------------------------------------------------------------
class UserPage(Schema):
    """The link to a user page, as MediaWiki renders it."""

    path = fields.String(required=True, metadata={"description": "URL of the user page"})
    title = fields.String(required=True, metadata={"description": "Text of the user page link"})
    classes = fields.String(required=True, metadata={"description": "CSS classes of the user page link"})


class NonPiiAnswer(Schema):
    message = fields.String(
        required=True,
        metadata={
            "description": "The human-readable answer provided to this question, or a placeholder "
            "'No response' value."
        },
    )
    questionID = fields.Integer(
        required=True,
        metadata={
            "description": "The question, as the 'Get available participant questions' endpoint names it"
        },
    )


class ParticipantEntry(Schema):
    """GET .../participants: one participant. ``user_name``/``user_page`` are set when the user is
    visible, ``not_found: true`` instead when the account cannot be found; organizers also get
    ``user_is_valid_recipient`` and (until the event ends) ``non_pii_answers``."""

    participant_id = fields.Integer(
        required=True,
        metadata={"description": "Participant ID that can be passed as last_participant_id"},
    )
    user_id = fields.Integer(required=True, metadata={"description": "Central user ID"})
    user_registered_at = fields.String(required=True, metadata={"description": "Timestamp, in TS_MW format"})
    user_registered_at_formatted = fields.String(
        required=True, metadata={"description": "Human-readable timestamp (UTC)"}
    )
    private = fields.Boolean(
        required=True, metadata={"description": "Whether the participant has registered privately"}
    )
    not_found = _true_only("Set (instead of user_name and user_page) when the account could not be found")
    user_name = fields.String()
    user_page = fields.Nested(UserPage)
    user_is_valid_recipient = fields.Boolean(
        metadata={
            "description": "Organizers only: whether the performer is allowed to send emails to this "
            "user via the extension."
        }
    )
    non_pii_answers = OneOf(
        fields.List(fields.Nested(NonPiiAnswer)),
        fields.String(),
        metadata={
            "description": "Organizers only, until the event ends: one entry per non-PII question "
            "enabled for the event. If the participant's answers have already been aggregated, a "
            "string with a message explaining why."
        },
    )


class AnswerInput(Schema):
    """One answer in PUT .../participants/self's ``answers`` (keyed by question name)."""

    value = fields.Integer(
        required=True, metadata={"description": "Value of the chosen option (0: no answer)"}
    )
    other = fields.String(
        allow_none=True, metadata={"description": "Additional text, for the options that accept it"}
    )


class OwnAnswer(Schema):
    value = fields.Integer(required=True, metadata={"description": "Value of the chosen answer"})
    other = fields.String(metadata={"description": "Additional text for the chosen option"})
    removed = _true_only("Set when the question is no longer enabled for the event")


class OwnRegistration(Schema):
    """GET .../participants/self."""

    private = fields.Boolean(required=True, metadata={"description": "Whether you are registered privately"})
    answers = OneOf(
        fields.Dict(keys=fields.String(), values=fields.Nested(OwnAnswer)),
        _empty_array("No answers"),
        required=True,
        metadata={"description": "Answers keyed by question name ([] when there are none)"},
    )


class ModifiedResponse(Schema):
    modified = fields.Boolean(
        required=True, metadata={"description": "Whether the action resulted in any modification"}
    )


class RemovedResponse(Schema):
    public = fields.Integer(required=True, metadata={"description": "Number of public participants removed"})
    private = fields.Integer(
        required=True, metadata={"description": "Number of private participants removed"}
    )


# --- organizers --------------------------------------------------------------------------------
class OrganizerEntry(Schema):
    organizer_id = fields.Integer(
        required=True,
        metadata={"description": "Organizer ID that can be passed as last_organizer_id (not the user ID)"},
    )
    user_id = fields.Integer(required=True, metadata={"description": "Central user ID"})
    user_name = fields.String(required=True)
    roles = fields.List(fields.String(metadata={"enum": ["creator", "organizer"]}), required=True)
    user_page = fields.Nested(UserPage, required=True)


# --- listings ----------------------------------------------------------------------------------
class EventListItem(Schema):
    event_id = fields.Integer(required=True, metadata={"description": "ID of the event"})
    event_name = fields.String(required=True, metadata={"description": "Name of the event"})
    event_deleted = _true_only("Set when the event registration was deleted")


class QuestionOtherOption(Schema):
    type = fields.String(required=True, metadata={"enum": ["text"]})
    label = fields.String(required=True, metadata={"description": "Label of the option"})


class ParticipantQuestion(Schema):
    name = fields.String(required=True, metadata={"description": "Name of the question"})
    type = fields.String(required=True, metadata={"enum": ["radio", "select", "text"]})
    label = fields.String(required=True, metadata={"description": "Label of the question"})
    options = fields.Dict(
        keys=fields.String(),
        values=fields.Integer(),
        metadata={"description": "Option label → value (radio and select only)"},
    )
    other_options = fields.Dict(
        keys=fields.String(),
        values=fields.Nested(QuestionOtherOption),
        data_key="other-options",
        metadata={"description": "Option value → the free-text field accepted with it"},
    )


PARTICIPANT_QUESTIONS = OneOf(
    fields.Dict(keys=fields.String(), values=fields.Nested(ParticipantQuestion)),
    _empty_array("No question was selected"),
    metadata={"description": "Questions keyed by question ID ([] when none is selected)"},
)


# --- answers and e-mail ------------------------------------------------------------------------
class AggregatedOption(Schema):
    value = fields.Integer(required=True)
    label = fields.String(required=True)
    count = OneOf(
        fields.Integer(),
        fields.String(metadata={"enum": ["1-4"]}),
        required=True,
        metadata={"description": 'Number of answers; "1-4" for counts from 1 to 4'},
    )


class AggregatedQuestion(Schema):
    """A question with fewer than 10 answers has ``message`` instead of ``total`` and ``options``."""

    questionID = fields.Integer(required=True)
    name = fields.String(required=True)
    label = fields.String(required=True)
    message = fields.String(metadata={"description": "Why the totals are not shown"})
    total = fields.Integer()
    options = fields.List(fields.Nested(AggregatedOption))


class AggregatedAnswers(Schema):
    event_id = fields.Integer(required=True)
    questions = fields.List(fields.Nested(AggregatedQuestion), required=True)


class SentResponse(Schema):
    sent = fields.Integer(required=True, metadata={"description": "The number of e-mails sent (queued)"})


# --- worklist and history ----------------------------------------------------------------------
class WorklistArticle(Schema):
    id = fields.Integer(required=True, metadata={"description": "ID of the worklist article"})
    page_title = fields.String(
        required=True, metadata={"description": "Page title in database-key form, e.g. `Main_Page`"}
    )
    wiki_id = fields.String(required=True, metadata={"description": "ID of the wiki of the page"})
    added_by_user_id = fields.Integer(
        required=True, metadata={"description": "Central user ID of the organizer who added it"}
    )
    added_at = fields.String(
        required=True,
        metadata={"description": "ISO 8601, UTC", "example": "2026-04-14T12:00:00Z"},
    )


class WorklistPage(Schema):
    """GET .../worklist: one page of articles, in the order they were added."""

    articles = fields.List(fields.Nested(WorklistArticle), required=True)
    total = fields.Integer(required=True, metadata={"description": "Number of articles in the worklist"})


HISTORY_KINDS = (
    "registration-enabled",
    "registration-edited",
    "registration-closed",
    "registration-reopened",
    "registration-deleted",
    "organizers-changed",
    "participant-registered",
    "participant-privacy-changed",
    "participant-cancelled",
    "participant-removed",
    "answers-submitted",
    "answers-removed",
    "answers-aggregated",
    "answers-counted",
    "worklist-changed",
    "participants-emailed",
    "schedule-changed",
    "schedule-removed",
)


class HistoryParticipant(Schema):
    user_id = fields.Integer(required=True, metadata={"description": "Central user ID of the participant"})
    user_name = fields.String(required=True, allow_none=True)
    private = fields.Boolean(required=True, metadata={"description": "Whether the registration is private"})


class FieldChange(Schema):
    old = fields.Raw(required=True, allow_none=True)
    new = fields.Raw(required=True, allow_none=True)


class HistoryEntry(Schema):
    """GET .../history: one entry of the audit history (never answers themselves). The keys after
    ``participant`` depend on ``kind``."""

    id = fields.Integer(required=True, metadata={"description": "Entry ID that can be passed as last_id"})
    at = fields.String(
        required=True, metadata={"description": "ISO 8601, UTC", "example": "2026-11-22T12:00:00Z"}
    )
    kind = fields.String(required=True, metadata={"enum": list(HISTORY_KINDS)})
    user_id = fields.Integer(
        required=True,
        allow_none=True,
        metadata={"description": "Central user ID of the performer (null for the service's own jobs)"},
    )
    user_name = fields.String(required=True, allow_none=True)
    participant = fields.Nested(
        HistoryParticipant, metadata={"description": "The participant concerned (participant-*, answers-*)"}
    )
    event_page = fields.String(metadata={"description": "registration-enabled: the event page"})
    changes = fields.Dict(
        keys=fields.String(),
        values=fields.Nested(FieldChange),
        metadata={"description": "registration-edited: the changed fields (by their API names), old and new"},
    )
    organizer_user_ids = fields.List(
        fields.Integer(),
        metadata={"description": "organizers-changed: central user IDs of the organizers after the change"},
    )
    added = fields.Integer(metadata={"description": "worklist-changed: articles added"})
    removed = fields.Integer(metadata={"description": "worklist-changed: articles removed"})
    recipients = fields.Integer(metadata={"description": "participants-emailed: e-mails queued"})
    answers = fields.Integer(metadata={"description": "answers-counted: answers aggregated"})


_DETAILS = RegistrationDetails()


def dump_details(data: dict[str, Any]) -> dict[str, Any]:
    dumped: dict[str, Any] = _DETAILS.dump(data)
    return dumped

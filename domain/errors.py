"""Every rule that can fail, as one exception class carrying its message key.

The API layer translates these once, at the edge (``api/errors.py`` maps each class to an HTTP
status; ``api/messages.py`` maps each key to its English text). ``params`` fill ``$1``, ``$2``...
"""

from __future__ import annotations

from typing import ClassVar


class DomainError(Exception):
    """A rule was broken. ``key`` names the message; ``params`` fill its placeholders."""

    key: ClassVar[str] = "campaignevents-error-unknown"

    def __init__(self, *params: str | int | tuple[str, ...]) -> None:
        super().__init__(self.key, *params)
        self.params: tuple[str | int | tuple[str, ...], ...] = params


# --- lookups -------------------------------------------------------------------------------
class EventNotFound(DomainError):
    key = "campaignevents-rest-event-not-found"


class UserNotFound(DomainError):
    key = "campaignevents-rest-user-not-found"


class RegistrationDeletedOnGet(DomainError):
    key = "campaignevents-rest-get-registration-deleted"


class AlreadyDeleted(DomainError):
    key = "campaignevents-rest-delete-already-deleted"


# --- permissions ---------------------------------------------------------------------------
class EnableRegistrationDenied(DomainError):
    key = "campaignevents-rest-enable-registration-permission-denied"


class EditDenied(DomainError):
    key = "campaignevents-edit-not-allowed-registration"


class DeleteDenied(DomainError):
    key = "campaignevents-delete-not-allowed-registration"


# --- event data (first error wins, in the reference's order) ------------------------------
class InvalidEventData(DomainError):
    """Base for the 400s of event validation."""


class PageWithSection(InvalidEventData):
    key = "campaignevents-error-page-with-section"


class PageNamespaceNotAllowed(InvalidEventData):
    key = "campaignevents-error-page-namespace-not-allowed"


class PageAlreadyRegistered(InvalidEventData):
    key = "campaignevents-error-page-already-registered"


class PageAlreadyRegisteredDeleted(InvalidEventData):
    key = "campaignevents-error-page-already-registered-deleted"


class InvalidTimezone(InvalidEventData):
    key = "campaignevents-error-invalid-timezone"


class EmptyStart(InvalidEventData):
    key = "campaignevents-error-empty-start"


class InvalidStart(InvalidEventData):
    key = "campaignevents-error-invalid-start"


class EmptyEnd(InvalidEventData):
    key = "campaignevents-error-empty-end"


class InvalidEnd(InvalidEventData):
    key = "campaignevents-error-invalid-end"


class StartAfterEnd(InvalidEventData):
    key = "campaignevents-error-start-after-end"


class StartPast(InvalidEventData):
    key = "campaignevents-error-start-past"


class TooManyWikis(InvalidEventData):
    key = "campaignevents-error-too-many-wikis"


class InvalidWikis(InvalidEventData):
    key = "campaignevents-error-invalid-wikis"


class NoParticipationOptions(InvalidEventData):
    key = "campaignevents-error-no-participation-options"


class InvalidMeetingUrl(InvalidEventData):
    key = "campaignevents-error-invalid-meeting-url"


class MeetingUrlNotOnline(InvalidEventData):
    key = "campaignevents-error-meeting-url-not-online"


class InvalidAddress(InvalidEventData):
    key = "campaignevents-error-invalid-address"


class InvalidCountry(InvalidEventData):
    key = "campaignevents-error-invalid-country"


class CountryOrAddressNotInPerson(InvalidEventData):
    key = "campaignevents-error-countryoraddress-not-in-person"


class InvalidChatUrl(InvalidEventData):
    key = "campaignevents-error-invalid-chat-url"


class TrackingToolWithoutEventId(InvalidEventData):
    key = "campaignevents-error-trackingtool-without-eventid"


class TrackingToolEventIdWithoutToolId(InvalidEventData):
    key = "campaignevents-error-trackingtool-eventid-without-toolid"


class InvalidTrackingTool(InvalidEventData):
    key = "campaignevents-error-invalid-trackingtool"


# --- edit rules ----------------------------------------------------------------------------
class EditRegistrationDeleted(DomainError):
    key = "campaignevents-edit-registration-deleted"


class OrganizersNotAllowed(DomainError):
    """``params``: (count, the names)."""

    key = "campaignevents-edit-organizers-not-allowed"


# --- accounts ------------------------------------------------------------------------------
class InvalidUsername(DomainError):
    key = "campaignevents-edit-invalid-username"


class UsernameTaken(DomainError):
    key = "campaignevents-error-username-taken"


class UnknownGroup(DomainError):
    key = "campaignevents-error-unknown-group"


class GroupAddedAndRemoved(DomainError):
    key = "campaignevents-error-group-added-and-removed"


class EmptyPassword(DomainError):
    key = "campaignevents-error-empty-password"


class LoginFailed(DomainError):
    key = "campaignevents-rest-login-failed"


class InvalidAccessToken(DomainError):
    key = "campaignevents-rest-invalid-token"


# --- organizers ----------------------------------------------------------------------------
class SetOrganizersEmptyList(DomainError):
    key = "campaignevents-rest-set-organizers-empty-list"


class TooManyOrganizers(DomainError):
    key = "campaignevents-edit-too-many-organizers"


class RemovedCreator(DomainError):
    key = "campaignevents-edit-removed-creator"


# --- participants --------------------------------------------------------------------------
class InvalidAnswer(DomainError):
    key = "campaignevents-rest-register-invalid-answer"


class RegisterNotAllowed(DomainError):
    key = "campaignevents-register-not-allowed"


class RegisterRegistrationDeleted(DomainError):
    key = "campaignevents-register-registration-deleted"


class RegisterEventPast(DomainError):
    key = "campaignevents-register-event-past"


class RegisterEventNotOpen(DomainError):
    key = "campaignevents-register-event-not-open"


class AnswersAggregated(DomainError):
    key = "campaignevents-register-answers-aggregated-error"


class UnregisterNotAllowed(DomainError):
    key = "campaignevents-unregister-not-allowed"


class UnregisterRegistrationDeleted(DomainError):
    key = "campaignevents-unregister-registration-deleted"


class NotParticipant(DomainError):
    key = "campaignevents-rest-get-registration-info-notparticipant"


class RemoveParticipantsInvalidUserIds(DomainError):
    key = "campaignevents-rest-remove-participants-invalid-users-ids"


class RemoveParticipantsDenied(DomainError):
    key = "campaignevents-unregister-participants-permission-denied"


class RemoveParticipantsDeleted(DomainError):
    key = "campaignevents-unregister-participants-registration-deleted"


class CannotSeePrivate(DomainError):
    key = "campaignevents-rest-list-participants-cannot-see-private"


class EmptyUsernameFilter(DomainError):
    key = "campaignevents-rest-list-participants-empty-filter"


# --- answers -------------------------------------------------------------------------------
class EventDatesCannotBeChanged(DomainError):
    key = "campaignevents-event-dates-cannot-be-changed"


class AggregatedAnswersDenied(DomainError):
    key = "campaignevents-rest-aggregated-answers-permission-denied"


class AggregatedAnswersNotAvailable(DomainError):
    key = "campaignevents-rest-aggregated-answers-not-available"


# --- e-mail --------------------------------------------------------------------------------
class EmailDenied(DomainError):
    """The reference answers a bare 403 (no message) here."""

    key = "campaignevents-rest-email-permission-denied"


class SenderCannotEmail(DomainError):
    key = "mailnologin"


class EmailThrottled(DomainError):
    key = "actionthrottledtext"


class Contention(DomainError):
    """Too many concurrent writers on one aggregate, even after retries."""

    key = "campaignevents-rest-busy"


# --- worklist ------------------------------------------------------------------------------
class WorklistNotFound(DomainError):
    key = "campaignevents-rest-get-worklist-not-found"


class WorklistInvalidWiki(DomainError):
    key = "campaignevents-worklist-invalid-wiki"


class WorklistInvalidTitle(DomainError):
    key = "campaignevents-worklist-invalid-title"


# --- history -------------------------------------------------------------------------------
class HistoryDenied(DomainError):
    key = "campaignevents-rest-history-permission-denied"

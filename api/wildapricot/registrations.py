"""Wild Apricot's EventRegistrations, EventRegistrationTypes, Contacts, Accounts and the two RPCs
(dialects-facts §1.6-1.8), over the domain's participants, places and accounts.

A registration is a participant (its ``Id`` the participant id; confirmed, pending or on the
waitlist; ``IsCheckedIn``; ``ShowToPublic`` the inverse of v0's private registration); a contact is
an account. The same rules as v0: an account registers and cancels itself only; organizers remove
and check in; a private registrant is shown only to those ``policies.can_see_private`` lets see
private participants (and to itself), a waitlisted or pending one only to those
``policies.can_see_waitlist_names`` allows (and to itself); e-mail addresses only to the account
itself and sysops."""

from __future__ import annotations

from typing import Any

from flask import Response, request
from sqlalchemy import func, or_, select

from api.context import services
from api.routes import places as v0_places
from api.wildapricot import present, reads
from api.wildapricot.blueprint import (
    Answer,
    account,
    account_id,
    account_url,
    base_url,
    int_of,
    json_body,
    reply,
    route,
)
from api.wildapricot.events import ACCOUNT, _arg, visible_registration
from api.wildapricot.query import FilterError, IdIn, parse_filter, parse_paging
from domain import commands, errors, places, policies
from domain.accounts import Account
from projections import catalog
from projections.schema import define_places

_PLACES = define_places()
REG_NAMESPACE = (
    "http://schemas.datacontract.org/2004/07/Bonasource.MembershipFS.PublicAPI.Model.V2.EventRegistrations"
)
CONTACTS_NAMESPACE = (
    "http://schemas.datacontract.org/2004/07/Bonasource.MembershipFS.PublicAPI.Model.V2.Contacts"
)
STATUS = {
    "confirmed": "Free",
    "promoted": "Free",
    "approved": "Free",
    "waitlisted": "OnWaitlist",
    "pending": "Undefined",
}
# A registration is a live request: its participant row active (the catalog keeps a waitlisted or
# pending request active, projections/place_history.py) and, once the places fold has seen it, a
# status that is a request (not refused, declined or cancelled). Both read, so neither a catalog that
# lags the fold nor one that marks waiting requests inactive hides a waitlisted registrant.
SHOWN = tuple(STATUS)


def _participants(where: Any) -> list[dict[str, Any]]:
    p = services().store.tables.participants
    u = services().store.tables.users
    m = _PLACES.members
    statement = (
        select(
            p.c.participant_id,
            p.c.event_id,
            p.c.user_id,
            p.c.private,
            p.c.registered_at,
            u.c.user_name,
            m.c.status,
            m.c.checked_in,
        )
        .select_from(p.join(u, u.c.user_id == p.c.user_id).outerjoin(m, m.c.aggregate_id == p.c.aggregate_id))
        .where(p.c.active.is_(True), or_(m.c.status.is_(None), m.c.status.in_(SHOWN)), where)
        .order_by(p.c.participant_id)
    )
    with services().store.connect() as conn:
        return [dict(r) for r in conn.execute(statement).mappings()]


def _shown(entry: dict[str, Any]) -> bool:
    """Whether the caller may see this registration (policies, as v0's participant list)."""
    viewer = account()
    if entry["user_id"] == viewer.user_id:
        return True
    try:
        registration = visible_registration(entry["event_id"])
    except errors.EventNotFound:
        return False
    if entry["status"] in ("waitlisted", "pending") and not policies.can_see_waitlist_names(
        viewer, registration
    ):
        return False
    return not entry["private"] or policies.can_see_private(viewer, registration)


def _present(entry: dict[str, Any], rows: dict[int, reads.EventRow]) -> dict[str, Any]:
    row = rows[entry["event_id"]]
    zone = row.details["timezone"]
    status = entry["status"] or "confirmed"
    return {
        "Id": entry["participant_id"],
        "Url": account_url("EventRegistrations", entry["participant_id"]),
        "Event": {
            "Id": row.event_id,
            "Url": account_url("Events", row.event_id),
            "Name": row.details["name"],
            "StartDate": present.moment(row.details["start_utc"], zone),
            "EndDate": present.moment(row.details["end_utc"], zone),
            "Location": row.location,
        },
        "Contact": present.link("Contacts", entry["user_id"], entry["user_name"]),
        "RegistrationType": present.link(
            "EventRegistrationTypes", row.event_id, present.REGISTRATION_TYPE_NAME
        ),
        "RegistrationTypeId": row.event_id,
        "GuestRegistrationsSummary": {
            "NumberOfGuests": 0,
            "NumberOfGuestsCheckedIn": 0,
            "GuestRegistrations": [],
        },
        "DisplayName": entry["user_name"],
        "Organization": "",
        "IsCheckedIn": bool(entry["checked_in"]),
        "RegistrationFee": 0,
        "PaidSum": 0,
        "IsPaid": False,
        "RegistrationFields": [],
        "ShowToPublic": not entry["private"],
        "RegistrationDate": present.registration_date(entry["registered_at"], zone),
        "Memo": "",
        "IsGuestRegistration": False,
        "OnWaitlist": status == "waitlisted",
        "RecreateInvoice": False,
        "ParentRegistration": None,
        "Status": STATUS.get(status, "Undefined"),
    }


def _answer(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    shown = [e for e in entries if _shown(e)]
    rows = {r.event_id: r for r in reads.rows(services(), sorted({e["event_id"] for e in shown}))}
    return [_present(e, rows) for e in shown if e["event_id"] in rows]


def _one(registration_id: int) -> dict[str, Any]:
    p = services().store.tables.participants
    found = _answer(_participants(p.c.participant_id == registration_id))
    if not found:
        raise Answer(404, "not-found")
    return found[0]


@route(ACCOUNT + r"/eventregistrations", "GET")
def list_registrations() -> Response:
    """One filter is used: contactId, else eventId, else ``$filter`` (``ID in [...]``)."""
    p = services().store.tables.participants
    contact, event, raw_filter = _arg("contactId"), _arg("eventId"), _arg("$filter")
    if contact is not None and contact.strip():
        where = p.c.user_id == int_of(contact.strip())
    elif event is not None and event.strip():
        eid = int_of(event.strip())
        visible_registration(eid)
        where = p.c.event_id == eid
    elif raw_filter is not None and raw_filter.strip():
        node = parse_filter(raw_filter)
        if not isinstance(node, IdIn):
            raise FilterError(raw_filter, 0, ["ID in [...]"], "'" + raw_filter[:40] + "'")
        where = p.c.participant_id.in_(node.ids)
    else:
        raise Answer(400, "event-filter-required")
    paging = parse_paging(_arg("$top"), _arg("$skip"))
    found = _answer(_participants(where))[paging.skip :]
    found = found if paging.top is None else found[: paging.top]
    return reply(found, "ArrayOfEventRegistration", namespace=REG_NAMESPACE)


@route(ACCOUNT + r"/eventregistrations/(?P<registration_id>[^/]+)", "GET")
def get_registration(registration_id: str) -> Response:
    return reply(_one(int_of(registration_id)), "EventRegistration", namespace=REG_NAMESPACE)


def _link_id(body: dict[str, Any], field: str) -> int:
    value = body.get(field)
    ident = value.get("Id") if isinstance(value, dict) else None
    if isinstance(ident, bool) or not isinstance(ident, int) or ident <= 0:
        raise Answer(
            400,
            "field-required",
            [{"key": f"{field}.Id", "value": None, "restriction": "required"}],
            field=f"{field}.Id",
        )
    return ident


def _register(event_id: int, private: bool) -> None:
    """Register the caller as v0 does: refused when full with the waitlist off (a 400)."""
    who = account()
    full = v0_places.refusing(event_id)
    cmd = commands.RegisterParticipant(who.user_id, event_id, private, None, full=full, caller=who)
    result = services().app.register_participant(cmd)
    v0_places.settle_request(event_id, who.user_id, result.position)


def _own_id(event_id: int) -> int:
    p = services().store.tables.participants
    mine = _participants((p.c.event_id == event_id) & (p.c.user_id == account().user_id))
    if not mine:
        raise Answer(404, "not-found")
    return int(mine[0]["participant_id"])


@route(ACCOUNT + r"/eventregistrations", "POST")
def create_registration() -> Response:
    body = json_body()
    event_id, contact_id = _link_id(body, "Event"), _link_id(body, "Contact")
    type_id = body.get("RegistrationTypeId")
    visible_registration(event_id)
    if type_id is None:
        raise Answer(
            400,
            "field-required",
            [{"key": "RegistrationTypeId", "value": None, "restriction": "required"}],
            field="RegistrationTypeId",
        )
    if type_id != event_id:
        raise Answer(
            400,
            "registration-type",
            [{"key": "RegistrationTypeId", "value": type_id, "restriction": f"equals {event_id}"}],
            expected=event_id,
        )
    if contact_id != account().user_id:
        raise Answer(403, "contact-not-self")
    show = body.get("ShowToPublic", False)
    if not isinstance(show, bool):
        raise Answer(400, "field-invalid", field="ShowToPublic")
    _register(event_id, private=not show)
    return reply(_one(_own_id(event_id)), "EventRegistration", namespace=REG_NAMESPACE)


def _entry(registration_id: int) -> dict[str, Any]:
    p = services().store.tables.participants
    found = [e for e in _participants(p.c.participant_id == registration_id) if _shown(e)]
    if not found:
        raise Answer(404, "not-found")
    return found[0]


def _check_in(entry: dict[str, Any], checked_in: bool) -> None:
    cmd = commands.CheckIn(account().user_id, entry["event_id"], entry["user_id"], checked_in)
    services().written(services().app.check_in(cmd).position)


@route(ACCOUNT + r"/eventregistrations/(?P<registration_id>[^/]+)", "PUT")
def update_registration(registration_id: str) -> Response:
    rid = int_of(registration_id)
    body = json_body()
    if body.get("Id") != rid:
        raise Answer(
            400,
            "id-mismatch",
            [{"key": "Id", "value": body.get("Id"), "restriction": "equals the id in the URL"}],
            given=body.get("Id"),
            expected=rid,
        )
    entry = _entry(rid)
    type_id = body.get("RegistrationTypeId")
    if type_id is not None and type_id != entry["event_id"]:
        raise Answer(400, "registration-type", expected=entry["event_id"])
    show = body.get("ShowToPublic")
    if show is not None:
        if not isinstance(show, bool):
            raise Answer(400, "field-invalid", field="ShowToPublic")
        if (not show) != entry["private"]:
            if entry["user_id"] != account().user_id:
                raise Answer(403, "contact-not-self")
            _register(entry["event_id"], private=not show)
    checked = body.get("IsCheckedIn")
    if checked is not None:
        if not isinstance(checked, bool):
            raise Answer(400, "field-invalid", field="IsCheckedIn")
        if checked != bool(entry["checked_in"]):
            _check_in(entry, checked)
    return reply(_one(rid), "EventRegistration", namespace=REG_NAMESPACE)


@route(ACCOUNT + r"/eventregistrations/(?P<registration_id>[^/]+)", "DELETE")
def delete_registration(registration_id: str) -> Response:
    entry = _entry(int_of(registration_id))
    app, me = services().app, account().user_id
    if entry["user_id"] == me:
        result = app.cancel_registration(commands.CancelRegistration(me, entry["event_id"]))
        services().written(result.position)
    else:
        removed = app.remove_participants(
            commands.RemoveParticipants(me, entry["event_id"], (entry["user_id"],))
        )
        services().written(removed.position)
    return reply(True, "boolean", namespace="http://www.w3.org/2001/XMLSchema")


@route(r"rpc/(?P<account>[^/]+)/checkineventattendee", "POST")
def rpc_check_in() -> Response:
    body = json_body()
    rid, checked = body.get("RegistrationId"), body.get("CheckedIn", True)
    if isinstance(rid, bool) or not isinstance(rid, int):
        raise Answer(400, "field-required", field="RegistrationId")
    if not isinstance(checked, bool):
        raise Answer(400, "field-invalid", field="CheckedIn")
    entry = _entry(rid)
    if checked != bool(entry["checked_in"]):
        _check_in(entry, checked)
    return reply(_one(rid), "EventRegistration", namespace=REG_NAMESPACE)


@route(r"rpc/(?P<account>[^/]+)/registerfromwaitlist", "POST")
def rpc_from_waitlist() -> Response:
    """A pending registration is approved; one on the waitlist moves by itself (a 400 says so)."""
    body = json_body()
    rid = body.get("WaitlistRegistrationId")
    if isinstance(rid, bool) or not isinstance(rid, int):
        raise Answer(400, "field-required", field="WaitlistRegistrationId")
    entry = _entry(rid)
    if entry["status"] == places.WAITLISTED:
        raise Answer(400, "waitlist-automatic")
    if entry["status"] == places.PENDING:
        cmd = commands.DecideApproval(account().user_id, entry["event_id"], entry["user_id"], True)
        services().written(services().app.decide_approval(cmd).position)
    return reply(_one(rid), "EventRegistration", namespace=REG_NAMESPACE)


# --- registration types --------------------------------------------------------------------------


@route(ACCOUNT + r"/eventregistrationtypes", "GET")
def registration_types() -> Response:
    raw = _arg("eventId")
    if raw is None or not raw.strip():
        raise Answer(400, "field-required", field="eventId")
    eid = int_of(raw.strip())
    from api.wildapricot.events import one_row

    return reply([present.registration_type(one_row(eid))], "ArrayOfEventRegistrationType")


@route(ACCOUNT + r"/eventregistrationtypes/(?P<type_id>[^/]+)", "GET")
def registration_type(type_id: str) -> Response:
    from api.wildapricot.events import one_row

    return reply(present.registration_type(one_row(int_of(type_id))), "EventRegistrationType")


# --- contacts and accounts -------------------------------------------------------------------------


def _contact(user_id: int, name: str, email: str | None, sysop: bool) -> dict[str, Any]:
    viewer = account()
    may_see_email = viewer.user_id == user_id or "sysop" in viewer.groups
    return {
        "Id": user_id,
        "Url": account_url("Contacts", user_id),
        "FirstName": "",
        "LastName": "",
        "Organization": "",
        "Email": (email or "") if may_see_email else "",
        "DisplayName": name,
        "ProfileLastUpdated": None,
        "MembershipLevel": None,
        "MembershipEnabled": False,
        "Status": "Active",
        "IsAccountAdministrator": sysop,
        "TermsOfUseAccepted": True,
        "FieldValues": [],
    }


def _contact_of(found: Account) -> dict[str, Any]:
    return _contact(found.user_id, found.user_name, found.email, "sysop" in found.groups)


def _accounts_caught_up() -> None:
    """Read-your-writes for the list, which reads the catalog's users table: a bounded wait until
    the catalog has applied the log's head, so an account just made (the command line, another
    worker) is listed as ``contacts/{id}`` and ``contacts/me`` (read from the log) already show it."""
    svc = services()
    svc.store.wait_for(svc.app.recorder.max_notification_id() or 0, catalog.NAME)


@route(ACCOUNT + r"/contacts", "GET")
def contacts() -> Response:
    _accounts_caught_up()
    u = services().store.tables.users
    paging = parse_paging(_arg("$top"), _arg("$skip"))
    statement = (
        select(u.c.user_id, u.c.user_name, u.c.email).where(u.c.blocked.is_(False)).order_by(u.c.user_id)
    )
    statement = statement.offset(paging.skip)
    if paging.top is not None:
        statement = statement.limit(paging.top)
    with services().store.connect() as conn:
        found = list(conn.execute(statement))
    app = services().app
    listed = []
    for user_id, name, email in found:
        holder = app.account(user_id)
        listed.append(_contact(user_id, name, email, holder is not None and "sysop" in holder.groups))
    return reply({"Contacts": listed}, "ContactsListResult", namespace=CONTACTS_NAMESPACE)


@route(ACCOUNT + r"/contacts/me", "GET")
def me() -> Response:
    return reply(_contact_of(account()), "Contact", namespace=CONTACTS_NAMESPACE)


@route(ACCOUNT + r"/contacts/(?P<contact_id>[^/]+)", "GET")
def contact(contact_id: str) -> Response:
    found = services().app.account(int_of(contact_id))
    if found is None or found.blocked:
        raise Answer(404, "not-found")
    return reply(_contact_of(found), "Contact", namespace=CONTACTS_NAMESPACE)


def _account_body() -> dict[str, Any]:
    ident = account_id()
    resources = [
        ("Contacts", "contacts/", "Contacts (the service's accounts)", ["GET"]),
        ("Events", "events/", "Events", ["GET", "POST", "PUT", "DELETE"]),
        (
            "Event registrations",
            "eventregistrations/",
            "Event registrations",
            ["GET", "POST", "PUT", "DELETE"],
        ),
        ("Event registration types", "eventregistrationtypes/", "Event registration types", ["GET"]),
    ]
    u = services().store.tables.users
    with services().store.connect() as conn:
        contacts_count = int(conn.execute(select(func.count()).where(u.c.blocked.is_(False))).scalar_one())
    zone = services().settings.default_timezone
    return {
        "Id": ident,
        "Url": account_url(),
        "Name": "CampaignEvents",
        "PrimaryDomainName": request.host.split(":")[0],
        "IsFreeAccount": True,
        "Resources": [
            {"Url": account_url() + "/" + path, "Name": name, "Description": text, "AllowedOperations": ops}
            for name, path, text, ops in resources
        ],
        "ContactLimitInfo": {"CurrentContactsCount": contacts_count, "BillingPlanContactsLimit": None},
        "TimeZone": {"ZoneId": zone, "Name": zone, "UtcOffset": 0},
        "Currency": {"Code": "USD", "Name": "US Dollar", "Symbol": "$"},
        "Localization": {"DateFormat": "yyyy-MM-dd", "TimeFormat": "HH:mm"},
        "BaseUrl": base_url(),
    }


@route(r"accounts", "GET")
def accounts() -> Response:
    return reply([_account_body()], "ArrayOfAccount")


@route(r"accounts/(?P<account>[^/]+)", "GET")
def one_account() -> Response:
    return reply(_account_body(), "Account")

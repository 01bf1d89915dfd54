"""Commands: what a caller asks the application to do. Frozen dataclasses, imperative names."""

from __future__ import annotations

from dataclasses import dataclass, field

from domain.details import DetailsInput


@dataclass(frozen=True)
class CreateUser:
    name: str
    email: str | None = None
    groups: tuple[str, ...] = ()
    password: str | None = None


@dataclass(frozen=True)
class BlockUser:
    name: str


@dataclass(frozen=True)
class UnblockUser:
    name: str


@dataclass(frozen=True)
class EnableRegistration:
    performer: int | None
    details: DetailsInput


@dataclass(frozen=True)
class EditRegistration:
    performer: int | None
    event_id: int
    details: DetailsInput
    status: str = field(default="open")


@dataclass(frozen=True)
class DeleteRegistration:
    performer: int | None
    event_id: int

"""The authorities of the Portalverbund (``authorities.json``)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

AuthorityKind = Literal[
    "Landkreis", "Kreisfreie Stadt", "Stadt", "Samtgemeinde", "Gemeinde", "Zweckverband"
]


class Address(BaseModel):
    """A postal address."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    street: str = Field(min_length=1)
    postalCode: str = Field(pattern=r"^[0-9]{5}$")
    city: str = Field(min_length=1)


class Contact(BaseModel):
    """How citizens reach an authority."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    email: str = Field(pattern=r"^[^@\s]+@[^@\s]+\.[a-z]{2,}$")
    phone: str = Field(min_length=3)
    web: str | None = None
    hours: str | None = None


class Authority(BaseModel):
    """One authority of the portal: a county, a town, a Samtgemeinde, …"""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")
    name: str = Field(min_length=3)
    kind: AuthorityKind
    parent: str | None = None
    referencePrefix: str = Field(pattern=r"^[A-Z]{2,5}$")
    address: Address
    contact: Contact


class AuthoritiesFile(BaseModel):
    """The shape of ``authorities.json``."""

    model_config = ConfigDict(extra="forbid")

    authorities: list[Authority] = Field(min_length=1)

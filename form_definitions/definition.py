"""A loaded service definition and its service metadata."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, Literal

from jsonschema import Draft202012Validator
from pydantic import BaseModel, ConfigDict

from form_definitions.validation import AnswerCheck, answer_validator


class ServiceMeta(BaseModel):
    """``x-service``: what the portal needs to know about a service."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    authority: str
    version: str
    status: Literal["draft", "published"]
    prepare: list[str] = []
    durationMinutes: int | None = None
    keywords: list[str] = []
    leika: str | None = None
    retentionDays: int = 365


@dataclass(frozen=True)
class Step:
    """One page of a form."""

    id: str
    title: str
    properties: tuple[str, ...]
    description: str | None = None


@dataclass(frozen=True)
class ServiceDefinition:
    """A definition document that passed ``formwerk check``, with derived facts."""

    schema: dict[str, Any]
    path: Path | None = field(default=None, compare=False)

    @cached_property
    def meta(self) -> ServiceMeta:
        """The parsed ``x-service`` block."""
        return ServiceMeta.model_validate(self.schema["x-service"])

    @property
    def id(self) -> str:
        """The stable service id."""
        return self.meta.id

    @property
    def title(self) -> str:
        """The service's title."""
        return str(self.schema["title"])

    @property
    def description(self) -> str:
        """The service's description (may be empty)."""
        return str(self.schema.get("description", ""))

    @cached_property
    def sha256(self) -> str:
        """Hash of the canonical JSON, recorded with each submission."""
        canonical = json.dumps(
            self.schema, sort_keys=True, ensure_ascii=False, separators=(",", ":")
        )
        return hashlib.sha256(canonical.encode()).hexdigest()

    @cached_property
    def validator(self) -> Draft202012Validator:
        """The answer validator, built once per definition version."""
        return answer_validator(self.schema)

    @cached_property
    def answer_check(self) -> AnswerCheck:
        """The fast answer check (jsonschema-rs, same verdict), built once per version.

        ``answer_check.is_valid_fast(data)`` confirms valid answers in microseconds; when it
        does not, ask :attr:`validator`, which also gives the errors.
        """
        return AnswerCheck(self.schema, self.validator)

    @cached_property
    def conditional(self) -> bool:
        """Whether any field is shown only under a condition (an ``if`` anywhere).

        Without one, nothing is ever hidden, and pruning hidden answers can be skipped.
        """

        def has_if(node: Any) -> bool:
            if isinstance(node, dict):
                return "if" in node or any(has_if(value) for value in node.values())
            return isinstance(node, list) and any(has_if(item) for item in node)

        return has_if(self.schema)

    @cached_property
    def steps(self) -> tuple[Step, ...]:
        """The pages of the form: ``x-steps``, or one page holding every property."""
        declared = self.schema.get("x-steps")
        if not declared:
            return (Step("angaben", self.title, tuple(self.schema["properties"])),)
        return tuple(
            Step(s["id"], s["title"], tuple(s["properties"]), s.get("description"))
            for s in declared
        )


def load_definition(path: Path) -> ServiceDefinition:
    """Read a definition file (without checking it; see :mod:`form_definitions.check`)."""
    return ServiceDefinition(json.loads(path.read_text(encoding="utf-8")), path)

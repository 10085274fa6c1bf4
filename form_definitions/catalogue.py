"""The catalogue: the portal's authorities and the definitions that passed the check."""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from form_definitions.authorities import Authority
from form_definitions.check import Problem, check_files, load_authorities
from form_definitions.definition import ServiceDefinition

AUTHORITIES_FILE = "authorities.json"
SERVICES_DIR = "services"


def default_forms_dir() -> Path:
    """The demo portal shipped in this package."""
    return Path(str(resources.files("form_definitions")))


def definition_paths(forms_dir: Path) -> list[Path]:
    """Every definition file of a forms dir, in a stable order."""
    return sorted((forms_dir / SERVICES_DIR).glob("*.json"))


@dataclass
class Catalogue:
    """What the portal offers: authorities and their services."""

    authorities: dict[str, Authority]
    services: dict[str, ServiceDefinition]
    problems: list[Problem] = field(default_factory=list)

    @classmethod
    def load(cls, forms_dir: Path) -> Catalogue:
        """Load and check a forms dir. Broken definitions are left out and listed in
        ``problems``, so one bad file does not take the whole portal down."""
        authorities, problems = load_authorities(forms_dir / AUTHORITIES_FILE)
        sound, found = check_files(definition_paths(forms_dir), authorities)
        services = {}
        for path, doc in sound.items():
            definition = ServiceDefinition(doc, path)
            services[definition.id] = definition
        return cls(authorities, services, problems + found)

    def published(self) -> list[ServiceDefinition]:
        """Published services, by title."""
        return sorted(
            (s for s in self.services.values() if s.meta.status == "published"),
            key=lambda s: s.title,
        )

    def by_authority(self) -> list[tuple[Authority, list[ServiceDefinition]]]:
        """Authorities (county first, then by name) with their published services."""
        published = self.published()
        ordered = sorted(self.authorities.values(), key=lambda a: (a.parent is not None, a.name))
        return [(a, [s for s in published if s.meta.authority == a.id]) for a in ordered]

"""The formwerk definition format: field kinds, conditions, checks and the catalogue.

See README.md in this package for the format itself.
"""

from form_definitions.authorities import Authority
from form_definitions.catalogue import Catalogue, default_forms_dir
from form_definitions.check import Problem, check_document, check_files, load_authorities
from form_definitions.definition import ServiceDefinition, Step

__all__ = [
    "Authority",
    "Catalogue",
    "Problem",
    "ServiceDefinition",
    "Step",
    "check_document",
    "check_files",
    "default_forms_dir",
    "load_authorities",
]

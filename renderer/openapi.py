"""The OpenAPI 3.1 description of the JSON API (``GET /api/v1/openapi.json``).

Written by hand next to the routes in ``renderer.api``, not generated from them: the
document is the contract integrators code against, so every shape in it is a decision.
tests/api/test_openapi.py checks it against the OpenAPI 3.1 meta-schema and runs
schemathesis against the app, so document and routes cannot drift apart unnoticed.
"""

from __future__ import annotations

import copy
from typing import Any

from form_definitions.catalogue import Catalogue
from form_definitions.fields import ATTACHMENT_SCHEMA

API_VERSION = "1.0.0"
PROBLEM = "application/problem+json"
#: ``LKH-2026-000042`` (formwerk.store.base.REFERENCE_RE, in ECMA-262 syntax).
REFERENCE_PATTERN = r"^[A-Z]{2,5}-[0-9]{4}-[0-9]{6,}$"

#: Every ``code`` a problem of this API can carry, for the document's description.
PROBLEM_CODES = {
    "malformed_json": "the body is not JSON; `detail` gives line, column and character",
    "encoding": "the body is not UTF-8 or holds a lone surrogate",
    "too_deep": "arrays/objects nested deeper than 64 levels",
    "non_finite_number": "NaN, Infinity or a number that overflows",
    "duplicate_key": "an object names a member twice",
    "malformed": "a malformed request (multipart, Content-Length)",
    "invalid_idempotency_key": "the Idempotency-Key header is not 1–128 visible ASCII characters",
    "unknown_service": "no published service has this id",
    "request_too_large": "the body is larger than allowed",
    "unsupported_content_type": "another Content-Type than the operation takes",
    "invalid_envelope": 'the body is not `{"answers": {...}}`',
    "invalid_answers": "answers fail validation; `errors` lists each field",
    "idempotency_key_reused": "the key was used for a different submission",
    "missing_file": "no file in the field `file`",
    "unexpected_file": "a file in another field than `file`",
    "no_filename": "a file part without a file name",
    "too_many_files": "more than one file",
    "file_too_large": "the file is larger than the portal takes",
    "empty_file": "the file is empty",
    "file_type": "the file's content is none of the accepted types",
    "file_name": "the file name holds a path (`/`, `\\`) or control characters",
    "field_too_long": "a text part is too long",
    "too_many_fields": "too many parts",
}


def _problem_response(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {PROBLEM: {"schema": {"$ref": "#/components/schemas/Problem"}}},
    }


def _json(schema: dict[str, Any]) -> dict[str, Any]:
    return {"application/json": {"schema": schema}}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _schemas(service_ids: list[str]) -> dict[str, Any]:
    uri = {"type": "string", "format": "uri"}
    return {
        "Problem": {
            "type": "object",
            "description": "RFC 7807 problem details; `detail` is German, `code` is stable.",
            "required": ["type", "title", "status", "detail"],
            "properties": {
                "type": {"type": "string"},
                "title": {"type": "string"},
                "status": {"type": "integer", "minimum": 400, "maximum": 599},
                "detail": {"type": "string"},
                "instance": {"type": "string"},
                "code": {
                    "type": "string",
                    "description": "\n".join(f"- `{c}`: {t}" for c, t in PROBLEM_CODES.items()),
                },
                "errors": {"type": "array", "items": _ref("FieldError")},
            },
        },
        "FieldError": {
            "type": "object",
            "description": "One invalid field; one entry per field.",
            "required": ["pointer", "keyword", "message"],
            "properties": {
                "pointer": {
                    "type": "string",
                    "description": "JSON pointer (RFC 6901) into the request body",
                    "examples": ["/answers/hunde/1/wesenstest"],
                },
                "keyword": {
                    "type": "string",
                    "description": "the JSON Schema keyword that failed, or `attachment`, "
                    "`accept`, `maxBytes` for a file reference",
                },
                "message": {"type": "string", "description": "German, as the form shows it"},
            },
        },
        "Attachment": copy.deepcopy(ATTACHMENT_SCHEMA),
        "AttachmentUpload": {
            "type": "object",
            "required": ["file"],
            "properties": {"file": {"type": "string", "format": "binary"}},
        },
        "ServiceId": {"type": "string", "enum": service_ids},
        "ServiceList": {
            "type": "object",
            "required": ["services"],
            "properties": {
                "services": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["id", "title", "authority", "version", "links"],
                        "properties": {
                            "id": _ref("ServiceId"),
                            "title": {"type": "string"},
                            "authority": {
                                "type": "object",
                                "required": ["id", "name"],
                                "properties": {
                                    "id": {"type": "string"},
                                    "name": {"type": "string"},
                                },
                            },
                            "version": {"type": "string"},
                            "links": {
                                "type": "object",
                                "required": ["start", "self", "submissions"],
                                "properties": {"start": uri, "self": uri, "submissions": uri},
                            },
                        },
                    },
                }
            },
        },
        "Definition": {
            "type": "object",
            "description": "A service definition: a JSON Schema (draft 2020-12) that the "
            "`answers` of a submission must satisfy, with the formwerk `x-` extensions.",
            "required": ["type", "properties", "x-service"],
        },
        "SubmissionRequest": {
            "type": "object",
            "required": ["answers"],
            "additionalProperties": False,
            "properties": {
                "answers": {
                    "type": "object",
                    "description": "The answers, as the service's definition describes them "
                    "(GET /api/v1/services/{service_id}). File fields hold the references "
                    "returned by POST /api/v1/attachments, unchanged.",
                }
            },
        },
        "SubmissionCreated": {
            "type": "object",
            "required": ["reference", "service", "submittedAt", "links"],
            "properties": {
                "reference": {"type": "string", "pattern": REFERENCE_PATTERN},
                "service": _ref("ServiceId"),
                "submittedAt": {"type": "string", "format": "date-time"},
                "links": {
                    "type": "object",
                    "required": ["receipt", "postfach"],
                    "properties": {"receipt": uri, "postfach": uri},
                },
            },
        },
    }


def openapi_document(catalogue: Catalogue, server_url: str | None = None) -> dict[str, Any]:
    """The OpenAPI 3.1 document of the API; service ids are the published ones."""
    service_ids = sorted(s.id for s in catalogue.published())
    service_id = {
        "name": "service_id",
        "in": "path",
        "required": True,
        "schema": _ref("ServiceId"),
    }
    document: dict[str, Any] = {
        "openapi": "3.1.0",
        "info": {
            "title": "formwerk API",
            "version": API_VERSION,
            "description": "Published services of the Portalverbund, file uploads and "
            "submissions. Errors are RFC 7807 problem details with a German `detail` and a "
            "machine-readable `code`.",
        },
        "paths": {
            "/api/v1/services": {
                "get": {
                    "operationId": "listServices",
                    "summary": "Every published service",
                    "responses": {
                        "200": {"description": "OK", "content": _json(_ref("ServiceList"))}
                    },
                }
            },
            "/api/v1/services/{service_id}": {
                "get": {
                    "operationId": "getService",
                    "summary": "The definition of a published service",
                    "parameters": [service_id],
                    "responses": {
                        "200": {
                            "description": "The definition",
                            "headers": {
                                "ETag": {
                                    "description": "SHA-256 of the definition version",
                                    "schema": {"type": "string"},
                                }
                            },
                            "content": _json(_ref("Definition")),
                        },
                        "404": _problem_response("No published service has this id"),
                    },
                }
            },
            "/api/v1/services/{service_id}/submissions": {
                "post": {
                    "operationId": "createSubmission",
                    "summary": "Submit an application",
                    "description": "Validated like the form (same German messages), then "
                    "stored durably before the answer is sent. Body at most 1 MiB, nested "
                    "at most 64 levels; NaN, Infinity and duplicate names are refused.",
                    "parameters": [
                        service_id,
                        {
                            "name": "Idempotency-Key",
                            "in": "header",
                            "required": False,
                            "description": "Repeat a request safely: the same key with the "
                            "same answers returns the stored submission (200, header "
                            "`Idempotent-Replayed: true`); with other answers it is a 422.",
                            "schema": {"type": "string", "pattern": r"^[\x21-\x7e]{1,128}$"},
                        },
                    ],
                    "requestBody": {
                        "required": True,
                        "content": _json(_ref("SubmissionRequest")),
                    },
                    "responses": {
                        "201": _created("Stored"),
                        "200": _created("Stored earlier under this Idempotency-Key"),
                        "400": _problem_response("Not JSON, too deep, or a bad header"),
                        "404": _problem_response("No published service has this id"),
                        "413": _problem_response("Body larger than 1 MiB"),
                        "415": _problem_response("Not application/json"),
                        "422": _problem_response("Invalid answers, listed in `errors`"),
                    },
                }
            },
            "/api/v1/attachments": {
                "post": {
                    "operationId": "uploadAttachment",
                    "summary": "Upload one file for a later submission",
                    "description": "Accepted are the types some published file field takes "
                    "(recognised by content, not by name or header); the largest file is the "
                    "portal's `upload_max_file_bytes`. The field's own types and size are "
                    "checked again at the submission. A file no submission claims is deleted "
                    "with the abandoned drafts.",
                    "requestBody": {
                        "required": True,
                        "content": {"multipart/form-data": {"schema": _ref("AttachmentUpload")}},
                    },
                    "responses": {
                        "201": {
                            "description": "Stored; put this object into the answers",
                            "content": _json(_ref("Attachment")),
                        },
                        "400": _problem_response("Malformed, or no file in `file`"),
                        "413": _problem_response("File too large, or more than one"),
                        "415": _problem_response("Not multipart/form-data"),
                        "422": _problem_response("Empty, unaccepted type, or a path as name"),
                    },
                }
            },
            "/api/v1/openapi.json": {
                "get": {
                    "operationId": "getOpenApi",
                    "summary": "This document",
                    "responses": {
                        "200": {"description": "OK", "content": _json({"type": "object"})}
                    },
                }
            },
        },
        "components": {"schemas": _schemas(service_ids)},
    }
    if server_url:
        document["servers"] = [{"url": server_url.rstrip("/") or "/"}]
    return document


def _created(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "headers": {
            "Location": {
                "description": "The application in the Postfach",
                "required": True,
                "schema": {"type": "string", "format": "uri"},
            }
        },
        "content": _json(_ref("SubmissionCreated")),
    }

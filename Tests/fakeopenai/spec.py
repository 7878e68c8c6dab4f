"""Checks each request ftsh sends against the shared OpenAPI subset.

The spec is OpenAPI 3.1, whose schemas are JSON Schema 2020-12, so `jsonschema` validates
bodies directly, resolving `#/components/...` references through a `referencing` registry
that holds the whole document. Query parameters are checked by hand against each operation's
declared parameters (name, type, enum), since they arrive as strings.
"""
import json
import re

import yaml
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

SPEC_URI = "urn:ftsh:openai-spec"


class Spec:
    def __init__(self, path):
        with open(path, encoding="utf-8") as f:
            self.doc = yaml.safe_load(f)
        resource = Resource.from_contents(self.doc, default_specification=DRAFT202012)
        self.registry = Registry().with_resource(SPEC_URI, resource)
        self.operations = []
        for template, ops in self.doc["paths"].items():
            names = re.findall(r"{([^}]+)}", template)
            pattern = "^" + re.sub(r"{[^}]+}", "([^/]+)", template) + "$"
            for method, op in ops.items():
                if method in ("get", "post", "delete", "put", "patch"):
                    self.operations.append((re.compile(pattern), names, method.upper(), template, op))
        self._validators = {}

    def validator(self, ref):
        if ref not in self._validators:
            schema = {"$ref": SPEC_URI + ref}
            self._validators[ref] = Draft202012Validator(schema, registry=self.registry)
        return self._validators[ref]

    def find(self, method, path):
        for pattern, _names, m, template, op in self.operations:
            if m == method and pattern.match(path):
                return template, op
        return None, None

    def check_request(self, method, path, query, content_type, body):
        """A list of problems (empty when the request matches the spec)."""
        template, op = self.find(method, path)
        if op is None:
            return [f"no operation {method} {path} in the spec"]
        problems = []
        params = {p["name"]: p for p in op.get("parameters", []) if p.get("in") == "query"}
        for key, values in query.items():
            name = key.split("[", 1)[0]
            p = params.get(name)
            if p is None:
                problems.append(f"query parameter '{key}' is not declared for {method} {template}")
                continue
            schema = p.get("schema", {})
            if "[" in key and not (p.get("style") == "deepObject" and schema.get("type") == "object"):
                problems.append(f"query parameter '{key}' is not a deepObject parameter")
                continue
            for v in values:
                problems += _check_scalar(key, v, schema)
        rb = op.get("requestBody")
        if rb is None:
            if body:
                problems.append(f"{method} {template} takes no body")
            return problems
        content = rb.get("content", {})
        media = (content_type or "").split(";", 1)[0].strip().lower()
        if media not in content:
            return problems + [f"content type '{media}' is not one of {sorted(content)}"]
        ref = content[media]["schema"].get("$ref")
        if media == "application/json":
            try:
                instance = json.loads(body)
            except ValueError as e:
                return problems + [f"body is not JSON: {e}"]
        else:
            instance = body  # multipart: the server passes the parsed form as a dict
        for err in sorted(self.validator(ref).iter_errors(instance), key=lambda e: list(e.path)):
            where = "/".join(str(p) for p in err.path) or "(body)"
            problems.append(f"{where}: {err.message}")
        return problems

    def check_response(self, method, path, status, payload):
        template, op = self.find(method, path)
        if op is None:
            return []
        response = op.get("responses", {}).get(str(status))
        if response is None:
            return []
        content = response.get("content", {}).get("application/json")
        if not content or "$ref" not in content.get("schema", {}):
            return []
        errs = [e for e in self.validator(content["schema"]["$ref"]).iter_errors(payload) if not _known_gap(e)]
        return [f"response {method} {template}: {'/'.join(map(str, e.path))}: {e.message}" for e in errs]


def _known_gap(err):
    """The spec's job status enum lacks `pausing` and `paused`, which the API sends (its own
    /pause example answers "paused"); the fake sends them too."""
    return list(err.path)[-1:] == ["status"] and err.instance in ("pausing", "paused")


def _check_scalar(name, value, schema):
    t = schema.get("type")
    if t == "integer":
        if not re.fullmatch(r"-?\d+", value):
            return [f"query parameter '{name}' must be an integer, got '{value}'"]
        n = int(value)
        if "minimum" in schema and n < schema["minimum"] or "maximum" in schema and n > schema["maximum"]:
            return [f"query parameter '{name}' is out of range: {n}"]
    if "enum" in schema and value not in schema["enum"]:
        return [f"query parameter '{name}' must be one of {schema['enum']}, got '{value}'"]
    return []

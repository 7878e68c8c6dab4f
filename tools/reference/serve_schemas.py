#!/usr/bin/env python3
"""Extracts the response schemas of the OpenAI fine-tuning subset for FTServeTests.

    python3 tools/reference/serve_schemas.py [SPEC.yaml] > Tests/FTServeTests/Golden/openapi-responses.json

Reads the OpenAPI subset (the copy in Tests/fakeopenai/ by default, the same file as the shared one),
and writes, for every operation ftsh serve answers, the schema of its 200 response, plus
ErrorResponse and the streamed chunk, with every component they reach. Descriptions and
examples are dropped (the tests need only the structure). Needs PyYAML.
"""
import json
import os
import sys

import yaml

KEEP = {"type", "properties", "required", "items", "enum", "anyOf", "oneOf", "allOf", "$ref", "nullable",
        "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "minItems", "maxItems", "maxLength",
        "minLength", "additionalProperties", "const", "maxProperties"}


def strip(node):
    if isinstance(node, list):
        return [strip(n) for n in node]
    if not isinstance(node, dict):
        return node
    out = {}
    for k, v in node.items():
        if k == "properties":
            out[k] = {name: strip(s) for name, s in v.items()}
        elif k in KEEP:
            out[k] = strip(v) if isinstance(v, (dict, list)) else v
    return out


def refs(node, found):
    if isinstance(node, dict):
        r = node.get("$ref")
        if isinstance(r, str) and r.startswith("#/components/schemas/"):
            found.add(r.split("/")[-1])
        for v in node.values():
            refs(v, found)
    elif isinstance(node, list):
        for v in node:
            refs(v, found)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    default = os.path.join(here, "..", "..", "Tests", "fakeopenai", "openai-finetuning-openapi.yaml")
    path = sys.argv[1] if len(sys.argv) > 1 else default
    with open(path, encoding="utf-8") as f:
        doc = yaml.safe_load(f)
    schemas = doc["components"]["schemas"]
    operations = {}
    for template, ops in doc["paths"].items():
        for method, op in ops.items():
            if method not in ("get", "post", "delete"):
                continue
            if method == "get" and template == "/chat/completions":
                continue  # stored completions: not served
            content = op["responses"].get("200", {}).get("content", {})
            for media, body in content.items():
                if media == "application/json" and "$ref" in body.get("schema", {}):
                    operations[f"{method.upper()} {template}"] = body["schema"]["$ref"]
    wanted = {r.split("/")[-1] for r in operations.values()} | {"ErrorResponse", "CreateChatCompletionStreamResponse"}
    todo, done = set(wanted), set()
    while todo:
        name = todo.pop()
        done.add(name)
        found = set()
        refs(schemas[name], found)
        todo |= found - done
    out = {
        "source": doc["info"].get("x-ftsh-source", {}),
        "operations": dict(sorted(operations.items())),
        "schemas": {name: strip(schemas[name]) for name in sorted(done)},
    }
    json.dump(out, sys.stdout, indent=1, sort_keys=False)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()

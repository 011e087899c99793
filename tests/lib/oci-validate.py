#!/usr/bin/python3
"""Validate OCI runtime-spec config.json files against the schema that
Debian ships in golang-github-opencontainers-specs-dev.  Exit 1 on the first
invalid file, printing where and why."""
import json
import pathlib
import sys

import jsonschema

SCHEMA_DIR = pathlib.Path("/usr/share/gocode/src/github.com/opencontainers/runtime-spec/schema")


def main(paths):
    schema = json.loads((SCHEMA_DIR / "config-schema.json").read_text())
    resolver = jsonschema.RefResolver(base_uri=SCHEMA_DIR.as_uri() + "/", referrer=schema)
    validator = jsonschema.Draft4Validator(schema, resolver=resolver)
    bad = 0
    for p in paths:
        doc = json.loads(pathlib.Path(p).read_text())
        for e in validator.iter_errors(doc):
            print(f"{p}: {'/'.join(map(str, e.absolute_path))}: {e.message}")
            bad += 1
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

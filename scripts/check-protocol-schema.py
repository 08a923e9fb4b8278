#!/usr/bin/env python3
"""Checks a recorded `fichier serve` session against protocol/schema (JSON Schema 2020-12).

usage: check-protocol-schema.py --requests SENT.jsonl --output RECEIVED.jsonl [--schema-dir DIR]

- every received line must be one envelope message (request, notification, result, error);
- a result is checked against methods/<method>.schema.json#/$defs/result, the method found
  through the id of the request that was sent ("/" in a method name becomes "-");
- an event/<name> notification is checked against events/<name>.schema.json;
- a sent request that succeeded has its params checked against #/$defs/params.
Methods without a schema file (debug/*) are checked for the envelope only.
Prints one line per problem and exits 1 if there is any.
"""
import argparse, json, os, sys

try:
    import jsonschema
    from referencing import Registry, Resource
except ImportError:
    sys.exit("python3 with the jsonschema module is required (Debian: python3-jsonschema)")


def load_registry(schema_dir):
    resources = []
    for root, _, files in os.walk(schema_dir):
        for name in files:
            if name.endswith(".json"):
                with open(os.path.join(root, name)) as handle:
                    contents = json.load(handle)
                jsonschema.Draft202012Validator.check_schema(contents)
                resources.append((contents["$id"], Resource.from_contents(contents)))
    return Registry().with_resources(resources), resources[0][0].rsplit("/v1/", 1)[0] + "/v1/"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", required=True)
    parser.add_argument("--output", required=True)
    default_dir = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "protocol", "schema")
    parser.add_argument("--schema-dir", default=default_dir)
    args = parser.parse_args()

    registry, base = load_registry(args.schema_dir)
    validators = {}

    def validator(ref):
        if ref not in validators:
            validators[ref] = jsonschema.Draft202012Validator({"$ref": ref}, registry=registry)
        return validators[ref]

    def has_schema(relative):
        try:
            registry.resolver().lookup(base + relative)
            return True
        except Exception:
            return False

    problems = []

    def check(instance, ref, where):
        for error in validator(ref).iter_errors(instance):
            path = "/".join(str(p) for p in error.absolute_path)
            problems.append(f"{where}: {ref} at /{path}: {error.message}")

    sent = {}
    with open(args.requests, "rb") as handle:
        for line in handle:
            try:
                message = json.loads(line)
            except ValueError:
                continue  # deliberately malformed input
            if isinstance(message, dict) and "id" in message and isinstance(message.get("method"), str):
                sent.setdefault(json.dumps(message["id"]), message)

    checked = 0
    with open(args.output, "rb") as handle:
        for number, raw in enumerate(handle, 1):
            where = f"output line {number}"
            try:
                message = json.loads(raw.decode("utf-8"))
            except (ValueError, UnicodeDecodeError) as error:
                problems.append(f"{where}: not UTF-8 JSON: {error}")
                continue
            checked += 1
            check(message, base + "envelope.schema.json", where)
            if not isinstance(message, dict):
                continue
            method = message.get("method")
            if isinstance(method, str) and "id" not in message:
                if not method.startswith("event/"):
                    problems.append(f"{where}: the server sent a notification that is not event/*: {method}")
                    continue
                relative = "events/" + method[len("event/"):] + ".schema.json"
                if not has_schema(relative):
                    problems.append(f"{where}: no schema for {method}")
                    continue
                check(message.get("params"), base + relative, where)
            elif "result" in message:
                request = sent.get(json.dumps(message.get("id")))
                if request is None:
                    problems.append(f"{where}: a result for id {message.get('id')!r}, which was never sent")
                    continue
                relative = "methods/" + request["method"].replace("/", "-") + ".schema.json"
                if has_schema(relative):
                    check(message["result"], base + relative + "#/$defs/result", where)
                    check(request.get("params", {}), base + relative + "#/$defs/params",
                          f"params of request {message.get('id')!r}")

    for problem in problems:
        print(problem)
    print(f"{checked} line(s) checked, {len(problems)} problem(s)")
    sys.exit(1 if problems or checked == 0 else 0)


if __name__ == "__main__":
    main()

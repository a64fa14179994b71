#!/usr/bin/env python3
"""Writes the command table of a Redis release's sentinel mode as Swift source.

    Scripts/generate-command-table.py PATH_TO_REDIS_GIT TAG SWIFT_NAME > FILE.swift

reads src/commands/*.json at TAG from a Redis git repository (checkout or bare), keeps the
commands and subcommands that exist in sentinel mode (flag SENTINEL or ONLY_SENTINEL), and
prints an `extension CommandTable` with `static let SWIFT_NAME: [CommandDescription]`: for each
command what `COMMAND INFO` and `COMMAND DOCS` of that release's redis-sentinel answer.

What the server derives from the JSON is derived the same way here:
- reply flags: the command's flags in the order of `addReplyFlagsForCommand`'s table (the
  hidden ones, such as SENTINEL and MAY_REPLICATE, left out), lowercase;
- ACL categories: the JSON's plus the implicit ones (`setImplicitACLCategories`: ADMIN gives
  @admin and @dangerous, PUBSUB @pubsub, FAST @fast, otherwise @slow), in the order of the ACL
  category table;
- tips and argument names lowercase, argument tokens uppercase; `display_text` (7.2 and later) for every argument that is not a oneof or a
  block: its `display`, else its name.

The generated files are Sources/SentinelCore/Commands/RedisCommands70.swift (7.0.15, name
redis70Commands) and RedisCommands72.swift (7.2.4, redis72Commands); regenerate them with this
script rather than editing them.
"""
import json
import subprocess
import sys

FLAG_ORDER = [
    "WRITE", "READONLY", "DENYOOM", "MODULE", "ADMIN", "PUBSUB", "NOSCRIPT", "BLOCKING",
    "LOADING", "STALE", "SKIP_MONITOR", "SKIP_SLOWLOG", "ASKING", "FAST", "NO_AUTH",
    "NO_MANDATORY_KEYS", "NO_ASYNC_LOADING", "NO_MULTI", "MOVABLE_KEYS", "ALLOW_BUSY",
]
REPLY_FLAG_NAMES = {"MOVABLE_KEYS": "movablekeys"}
CATEGORY_ORDER = [
    "keyspace", "read", "write", "set", "sortedset", "list", "hash", "string", "bitmap",
    "hyperloglog", "geo", "stream", "pubsub", "admin", "fast", "slow", "blocking", "dangerous",
    "connection", "transaction", "scripting",
]


def git(repo, *args):
    return subprocess.run(["git", "-C", repo, *args], check=True, capture_output=True, text=True).stdout


def load(repo, tag):
    commands = {}
    for path in git(repo, "ls-tree", "--name-only", tag, "src/commands/").split():
        if not path.endswith(".json"):
            continue
        (name, body), = json.loads(git(repo, "show", f"{tag}:{path}")).items()
        flags = body.get("command_flags", [])
        if "SENTINEL" not in flags and "ONLY_SENTINEL" not in flags:
            continue
        container = body.get("container")
        full = f"{container.lower()}|{name.lower()}" if container else name.lower()
        commands[full] = body
    return commands


def reply_flags(body):
    flags = set(body.get("command_flags", []))
    return [REPLY_FLAG_NAMES.get(flag, flag.lower()) for flag in FLAG_ORDER if flag in flags]


def categories(body):
    flags = set(body.get("command_flags", []))
    found = {category.lower() for category in body.get("acl_categories", [])}
    if "WRITE" in flags:
        found.add("write")
    if "READONLY" in flags and "scripting" not in found:
        found.add("read")
    if "ADMIN" in flags:
        found.update(["admin", "dangerous"])
    if "PUBSUB" in flags:
        found.add("pubsub")
    if "FAST" in flags:
        found.add("fast")
    if "BLOCKING" in flags:
        found.add("blocking")
    if "fast" not in found:
        found.add("slow")
    return ["@" + category for category in CATEGORY_ORDER if category in found]


def quote(text):
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def string_list(items):
    return "[" + ", ".join(quote(item) for item in items) + "]"


def argument(arg, with_display, indent):
    name = arg["name"].lower()
    parts = [quote(name), quote(arg["type"])]
    if with_display and arg["type"] not in ("oneof", "block"):
        display = arg.get("display", name)
        parts.append("displayText: " + quote(display))
    if "key_spec_index" in arg:
        parts.append(f"keySpecIndex: {arg['key_spec_index']}")
    if "token" in arg:
        parts.append("token: " + quote(arg["token"].upper()))
    for key, label in (("summary", "summary"), ("since", "since"), ("deprecated_since", "deprecatedSince")):
        if key in arg:
            parts.append(f"{label}: {quote(arg[key])}")
    flags = [flag for flag in ("optional", "multiple", "multiple_token") if arg.get(flag)]
    if flags:
        parts.append("flags: " + string_list(flags))
    line = " " * indent + "CommandArgument(" + ", ".join(parts)
    nested = arg.get("arguments", [])
    if not nested:
        return [line + "),"]
    lines = [line + ", arguments: ["]
    for sub in nested:
        lines += argument(sub, with_display, indent + 4)
    lines.append(" " * indent + "]),")
    return lines


def command(full, body, subcommands, with_display, indent):
    pad = " " * indent
    docs = [f"summary: {quote(body.get('summary', ''))}", f"since: {quote(body.get('since', ''))}",
            f"group: {quote(body.get('group', ''))}"]
    if "complexity" in body:
        docs.append(f"complexity: {quote(body['complexity'])}")
    if body.get("doc_flags"):
        docs.append("documentationFlags: " + string_list([flag.lower() for flag in body["doc_flags"]]))
    if "deprecated_since" in body:
        docs.append(f"deprecatedSince: {quote(body['deprecated_since'])}")
    if "replaced_by" in body:
        docs.append(f"replacedBy: {quote(body['replaced_by'])}")
    if body.get("history"):
        entries = ", ".join(f"CommandHistoryEntry({quote(since)}, {quote(text)})" for since, text in body["history"])
        docs.append(f"history: [{entries}]")
    lines = [pad + f"CommandDescription(name: {quote(full)}, arity: {body['arity']}, flags: {string_list(reply_flags(body))}, "
             f"categories: {string_list(categories(body))}, tips: {string_list([tip.lower() for tip in body.get('command_tips', [])])},"]
    documentation = "documentation: CommandDocumentation(" + ", ".join(docs)
    arguments = body.get("arguments", [])
    if arguments:
        lines.append(pad + "    " + documentation + ", arguments: [")
        for arg in arguments:
            lines += argument(arg, with_display, indent + 8)
        closing = pad + "    ])"
    else:
        closing = pad + "    " + documentation + ")"
    if not subcommands:
        return lines + [closing + "),"]
    lines.append(closing + ",")
    lines.append(pad + "    subcommands: [")
    for sub_full, sub_body in subcommands:
        lines += command(sub_full, sub_body, [], with_display, indent + 8)
    lines.append(pad + "    ]),")
    return lines


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    repo, tag, swift_name = sys.argv[1:]
    commands = load(repo, tag)
    major, minor = (int(part) for part in tag.split(".")[:2])
    with_display = (major, minor) >= (7, 2)
    top = sorted(name for name in commands if "|" not in name)
    print("// Generated by Scripts/generate-command-table.py from Redis's src/commands/*.json at tag "
          f"{tag}: do not edit.")
    print()
    print("extension CommandTable {")
    print(f"    /// The commands of redis-sentinel {tag}, as its `COMMAND INFO` and `COMMAND DOCS` describe them.")
    print(f"    static let {swift_name}: [CommandDescription] = [")
    for name in top:
        subs = sorted((full, body) for full, body in commands.items() if full.startswith(name + "|"))
        for line in command(name, commands[name], subs, with_display, 8):
            print(line)
    print("    ]")
    print("}")


main()

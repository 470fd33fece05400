#!/usr/bin/env python3
"""Built-in table schemas from the Azure Monitor Logs table reference.

Two steps, so that a refresh shows as a reviewable diff of plain data:

  extract DIR OUT.tsv
      Reads the table reference pages under DIR (a checkout of the docs'
      `tables` folder: one page per table, `# TableName` as its title and a
      `## Columns` section that holds a `| Column | Type | Description |`
      table or an `[!INCLUDE ...]` of a file that does) and writes one line
      per column, `Table<TAB>Column<TAB>Type`, the type as the page spells it,
      in page order. Descriptions are left out.

  generate
      Reads every `schemas/source/*.tsv` (see schemas/SOURCES.md for where
      each came from) and writes `schemas/tables.jsonl`: one JSON object per
      line, `{"name": ..., "columns": [[name, type], ...]}`, sorted by name,
      with kqlite's type names, TenantId and TimeGenerated first and the
      standard columns every Log Analytics table has added where the page
      leaves them out (and Timestamp to the Defender XDR tables streamed to a
      workspace, which keep it; a table without TimeGenerated, such as a Defender XDR
      advanced-hunting table, is left as its source gives it). A table in more than one source file takes the columns
      of the file that sorts first, then the columns of later files it lacks. Tables with a hand-written file
      (`schemas/<Table>.json`) are still written; kqlite prefers the
      hand-written file.

Standard columns: https://learn.microsoft.com/azure/azure-monitor/logs/log-standard-columns
"""

import json
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SOURCE_DIR = os.path.join(ROOT, "schemas", "source")
OUTPUT = os.path.join(ROOT, "schemas", "tables.jsonl")

# The docs' type names (the AzureDiagnostics page uses the older, capitalised
# ones) to kqlite's.
TYPES = {
    "string": "string",
    "datetime": "datetime",
    "date/time": "datetime",
    "int": "int",
    "long": "long",
    "bigint": "long",
    "real": "real",
    "double": "real",
    "bool": "bool",
    "boolean": "bool",
    "dynamic": "dynamic",
    "guid": "guid",
    "timespan": "timespan",
    "decimal": "decimal",
    # A column the page gives no type (AzureDiagnostics' AdditionalFields, a
    # property bag) is dynamic.
    "": "dynamic",
}

# The standard columns of the page above, in that page's order, with their
# types as the table reference gives them. TimeGenerated and TenantId are put
# first; the others are appended when a table's page leaves them out.
STANDARD = [
    ("TenantId", "string"),
    ("TimeGenerated", "datetime"),
    ("_TimeReceived", "datetime"),
    ("Type", "string"),
    ("_ItemId", "string"),
    ("_ResourceId", "string"),
    ("_SubscriptionId", "string"),
    ("_IsBillable", "string"),
    ("_BilledSize", "real"),
]

# The Defender XDR tables the streaming API sends to a Log Analytics workspace
# (defender-docs `defender-xdr/supported-event-types.md`, GA). Streamed, they
# keep the advanced-hunting column `Timestamp`, the time of the event, beside
# TimeGenerated (defender-docs `defender-xdr/advanced-hunting-microsoft-defender.md`,
# "Known issues"); the Azure Monitor reference pages leave it out.
STREAMED_XDR = {
    "AlertEvidence", "AlertInfo", "CloudAppEvents", "DeviceEvents",
    "DeviceFileCertificateInfo", "DeviceFileEvents", "DeviceImageLoadEvents",
    "DeviceInfo", "DeviceLogonEvents", "DeviceNetworkEvents", "DeviceNetworkInfo",
    "DeviceProcessEvents", "DeviceRegistryEvents", "EmailAttachmentInfo",
    "EmailEvents", "EmailPostDeliveryEvents", "EmailUrlInfo",
    "IdentityDirectoryEvents", "IdentityLogonEvents", "IdentityQueryEvents",
    "UrlClickEvents",
}

ROW = re.compile(r"^\|\s*([^|]*?)\s*\|\s*([^|]*?)\s*\|")
INCLUDE = re.compile(r"\[!INCLUDE\s*\[[^\]]*\]\(([^)]+)\)\]")


def column_rows(lines):
    """(column, type) of the first `| Column | Type |` table in `lines`."""
    out = []
    in_table = False
    for line in lines:
        m = ROW.match(line.strip())
        if not m:
            if in_table:
                break
            continue
        name, ty = m.group(1), m.group(2)
        if not in_table:
            if name.lower() == "column" and ty.lower() == "type":
                in_table = True
            continue
        if set(name) <= set("-: "):
            continue
        out.append((name.replace("\\_", "_").strip("`"), ty))
    return out


def extract_page(path):
    """The table name and (column, type) rows of one reference page."""
    with open(path, encoding="utf-8") as f:
        text = f.read()
    title = re.search(r"^# (\S+)\s*$", text, re.M)
    if not title:
        return None
    columns_at = re.search(r"^## Columns\s*$", text, re.M)
    if not columns_at:
        return None
    section = text[columns_at.end():]
    next_heading = re.search(r"^## ", section, re.M)
    if next_heading:
        section = section[: next_heading.start()]
    include = INCLUDE.search(section)
    if include:
        target = os.path.join(os.path.dirname(path), include.group(1))
        if not os.path.exists(target):
            return None
        with open(target, encoding="utf-8") as f:
            section = f.read()
    rows = column_rows(section.splitlines())
    return (title.group(1), rows) if rows else None


def extract(directory, output):
    pages = sorted(
        os.path.join(directory, n)
        for n in os.listdir(directory)
        if n.endswith(".md") and os.path.isfile(os.path.join(directory, n))
    )
    found = {}
    for page in pages:
        got = extract_page(page)
        if got is not None:
            found.setdefault(got[0], got[1])
    # Some tables have a columns include but no page of their own (SecurityAlert
    # in the 2024 snapshot): the include's `ms.custom` names the table when it
    # matches the file name.
    includes = os.path.join(directory, "includes")
    if os.path.isdir(includes):
        known = {t.lower() for t in found}
        for n in sorted(os.listdir(includes)):
            if not n.endswith("-include.md"):
                continue
            with open(os.path.join(includes, n), encoding="utf-8") as f:
                text = f.read()
            custom = re.search(r"^ms\.custom:\s*(\w+)\s*$", text, re.M)
            base = n[: -len("-include.md")]
            if not custom or custom.group(1).lower() != base or base in known:
                continue
            rows = column_rows(text.splitlines())
            if rows:
                found[custom.group(1)] = rows
    with open(output, "w", encoding="utf-8", newline="\n") as out:
        out.write("# Table\tColumn\tType, as the pages write them; see schemas/SOURCES.md\n")
        for table in sorted(found):
            for name, ty in found[table]:
                out.write(f"{table}\t{name}\t{ty}\n")
    written = len(found)
    print(f"{output}: {written} tables", file=sys.stderr)


def read_sources():
    tables = {}
    names = sorted(n for n in os.listdir(SOURCE_DIR) if n.endswith(".tsv"))
    for source in names:
        seen_here = {}
        with open(os.path.join(SOURCE_DIR, source), encoding="utf-8") as f:
            for line in f:
                line = line.rstrip("\n")
                if not line or line.startswith("#"):
                    continue
                table, name, ty = (line.split("\t") + ["", ""])[:3]
                seen_here.setdefault(table.strip(), []).append((name.strip(), ty))
        for table, rows in seen_here.items():
            # A table in more than one source keeps the columns (and types)
            # of the file that sorts first; a later file adds only the
            # columns it lacks (AzureDiagnostics: the reference page stops at
            # `session_id_d`, the KQL validation file of source 3 holds the
            # resource columns the published rules read).
            if table in tables:
                have = {name for name, _ in tables[table]}
                tables[table] += [(n, t) for n, t in rows if n not in have]
            else:
                tables[table] = rows
    return tables


# The type a custom-log column's suffix gives it in Log Analytics (also in
# AzureDiagnostics, whose resource columns are named the same way). The
# validation files of source 3 sometimes disagree (a `_d` typed DateTime or
# timespan); the suffix wins. (`_g` columns keep the files' type: they write most as
# strings, and the published rules compare them with strings.)
SUFFIX_TYPES = {"_d": "real", "_b": "bool", "_t": "datetime"}


def schema(table, rows):
    columns = {}
    for name, ty in rows:
        kind = TYPES.get(ty.strip().lower())
        if kind is None:
            raise SystemExit(f"unknown type {ty!r} of column {name!r}")
        if table.endswith("_CL") or table == "AzureDiagnostics":
            kind = SUFFIX_TYPES.get(name[-2:], kind)
        # A column listed twice (AzureDiagnostics' page) keeps its first type.
        columns.setdefault(name, kind)
    # A table with Timestamp and no TimeGenerated is a Defender XDR
    # advanced-hunting table, not a Log Analytics one: it is left as its
    # source gives it. (A custom `_CL` table is a Log Analytics table
    # whatever its source lists; AzureDiagnostics' page stops before
    # TimeGenerated.)
    if "TimeGenerated" not in columns and "Timestamp" in columns and not table.endswith("_CL"):
        return list(columns.items())
    first = [(n, t) for n, t in STANDARD[:2]]
    if table in STREAMED_XDR:
        first.append(("Timestamp", "datetime"))
    ordered = [(n, columns.pop(n, t)) for n, t in first]
    ordered += list(columns.items())
    present = {n for n, _ in ordered}
    ordered += [(n, t) for n, t in STANDARD[2:] if n not in present]
    return ordered


def generate():
    tables = read_sources()
    with open(OUTPUT, "w", encoding="utf-8", newline="\n") as out:
        for table in sorted(tables):
            doc = {"name": table, "columns": [list(c) for c in schema(table, tables[table])]}
            out.write(json.dumps(doc, separators=(",", ":")) + "\n")
    print(f"{OUTPUT}: {len(tables)} tables", file=sys.stderr)


def main(argv):
    if len(argv) == 4 and argv[1] == "extract":
        extract(argv[2], argv[3])
    elif len(argv) == 2 and argv[1] == "generate":
        generate()
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

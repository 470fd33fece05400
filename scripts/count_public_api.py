#!/usr/bin/env python3
"""Counts kqlite's public API from `cargo doc --no-deps` HTML (doc(hidden) items and redirect
pages left for re-exports are not counted). Usage: cargo doc --no-deps && scripts/count_public_api.py
items: one page per struct/enum/fn/trait/type/constant/macro, plus one per module (crate root excluded).
members: fields, variants, inherent methods, trait-required/provided methods and associated items,
counted on each item page before its trait-implementation sections (so derived Clone/Debug... don't count)."""
import os, re, sys
root = sys.argv[1] if len(sys.argv) > 1 else "target/doc/kqlite"
pages = mods = members = 0
for d, _, files in os.walk(root):
    for f in files:
        if not f.endswith(".html") or f == "all.html":
            continue
        if f == "index.html":
            mods += d != root and 'http-equiv="refresh"' not in open(os.path.join(d, f), encoding="utf-8").read()
            continue
        text = open(os.path.join(d, f), encoding="utf-8").read()
        if 'http-equiv="refresh"' in text:
            continue  # a redirect left for a re-export, not an item
        pages += 1
        cut = min([i for i in (text.find('id="trait-implementations"'), text.find('id="synthetic-implementations"'), text.find('id="blanket-implementations"')) if i >= 0] or [len(text)])
        members += len(set(re.findall(r'id="(?:method|structfield|variant|associatedconstant|tymethod|associatedtype)\.[A-Za-z0-9_]+(?:-\d+)?"', text[:cut])))
print(f"items={pages + mods} (item pages={pages}, modules={mods}), members={members}, total={pages + mods + members}")

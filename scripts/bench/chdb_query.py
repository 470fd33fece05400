#!/usr/bin/env python3
"""Runs one ClickHouse SQL query through chdb (ClickHouse's engine as a library) and writes
its rows as JSON lines: `chdb_query.py QUERY.sql OUT`. side_by_side.py times this process
whole, and times python's own start beside it so the reader can subtract it."""

import sys

import chdb

sql = open(sys.argv[1]).read()
res = chdb.query(sql, "JSONEachRow")
with open(sys.argv[2], "wb") as f:
    f.write(res.bytes())

"""The ceiling for intake on this machine: granian WSGI + psycopg + PostgreSQL running the intake's
own statement, with no Django, no validation, no routing and no detail in the answer.

bench/intake.py serves this next to gongzhi in the same run.  Each request reads its JSON body,
writes the event row prepared in advance (with a fresh number) and its timeline row through the
same prepared statement gongzhi uses, and answers 201 with the new id: the least work that still
takes one report over HTTP into the database.  gongzhi's rate over this one says how much of the
machine our own Python takes, however fast or busy the host is that day.

Env: GZ_BARE (a JSON file: the statement and the two rows), GONGZHI_DATABASE_URL.
"""
import json
import os
import secrets
import threading

import orjson
import psycopg

with open(os.environ["GZ_BARE"], encoding="utf-8") as f:
    _stmt = json.load(f)
_url = os.environ["GONGZHI_DATABASE_URL"].replace("postgres://", "postgresql://", 1)
_local = threading.local()


def _connection() -> psycopg.Connection:
    conn = getattr(_local, "conn", None)
    if conn is None:
        # prepare_threshold=0: prepared on first use, as gongzhi's statement is after five.
        conn = _local.conn = psycopg.connect(_url, autocommit=True, prepare_threshold=0)
    return conn


def application(environ, start_response):
    if environ["REQUEST_METHOD"] != "POST":      # the bench's "is it up?" GET
        start_response("404 Not Found", [("Content-Length", "0")])
        return [b""]
    body = orjson.loads(environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0)))
    event = _stmt["event"].replace("@N@", f"B{secrets.randbelow(10**15):015d}")
    with psycopg.Cursor(_connection()) as cur:
        cur.execute(_stmt["sql"], [event, _stmt["action"]])
        event_id, _ = cur.fetchone()
    out = orjson.dumps({"id": event_id, "client_key": body.get("client_key")})
    start_response("201 Created", [("Content-Type", "application/json"), ("Content-Length", str(len(out)))])
    return [out]

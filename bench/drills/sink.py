#!/usr/bin/env python3
"""A webhook destination for the fault drills: slow on purpose, and a witness of what arrived.

Accepts Customer Studio's webhook wire format (POST JSON {"sync", "runId", "batch", "rows":
[{"op", "key", "fields"}]} with an Idempotency-Key and an X-Studio-Signature header) and, like a
careful destination, applies each Idempotency-Key once: a key seen again is answered 2xx and
counted, not applied. It waits --delay-ms before applying, so delivery takes long enough to crash
the app during it, and applies even when the sender has gone away meanwhile (as a real endpoint
would), which is what makes a crash leave batches applied but never acknowledged.

What it counts, per sync (GET /stats, JSON):
  requests, rows_received       every request and the rows in it
  repeated_keys                 requests whose Idempotency-Key had been applied before (allowed:
                                a resend of a batch the sender never saw acknowledged)
  concurrent_same_key           requests that arrived while another with the same key was still
                                in flight (must be 0: one batch, one attempt at a time)
  rows_applied, distinct_rows   rows applied (once per key) and distinct row keys among them
  duplicate_rows                row keys applied under more than one Idempotency-Key: rows the
                                destination really got twice (must be 0)
  bad_signatures                requests whose signature does not verify with --secret
  runs                          rows applied per runId

Standard library only. Every request is also written as one JSON line to --log.
"""

import argparse
import hashlib
import hmac
import json
import threading
import time
from collections import defaultdict
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse


class Ledger:
    """What arrived, per sync; every method holds the one lock."""

    def __init__(self, log_path):
        self.lock = threading.Lock()
        self.syncs = defaultdict(self._new_sync)
        self.log = open(log_path, "a", buffering=1) if log_path else None

    @staticmethod
    def _new_sync():
        return {
            "requests": 0,
            "rows_received": 0,
            "repeated_keys": 0,
            "concurrent_same_key": 0,
            "bad_signatures": 0,
            "applied_keys": set(),
            "inflight": defaultdict(int),
            "row_keys": defaultdict(set),  # row key -> idempotency keys that applied it
            "runs": defaultdict(int),
        }

    def arrive(self, sync, key, rows, signature_ok):
        with self.lock:
            s = self.syncs[sync]
            s["requests"] += 1
            s["rows_received"] += rows
            if not signature_ok:
                s["bad_signatures"] += 1
            concurrent = s["inflight"][key] > 0
            if concurrent:
                s["concurrent_same_key"] += 1
            s["inflight"][key] += 1
            return concurrent

    def apply(self, sync, key, run_id, row_keys):
        """Applies a batch once per key; True when it was new."""
        with self.lock:
            s = self.syncs[sync]
            if key in s["applied_keys"]:
                s["repeated_keys"] += 1
                return False
            s["applied_keys"].add(key)
            for rk in row_keys:
                s["row_keys"][rk].add(key)
            s["runs"][run_id] += len(row_keys)
            return True

    def leave(self, sync, key):
        with self.lock:
            self.syncs[sync]["inflight"][key] -= 1

    def write(self, entry):
        if self.log:
            with self.lock:
                self.log.write(json.dumps(entry) + "\n")

    def stats(self, only=None):
        with self.lock:
            out = {}
            for name, s in self.syncs.items():
                if only and name != only:
                    continue
                dups = {k: sorted(v) for k, v in s["row_keys"].items() if len(v) > 1}
                out[name] = {
                    "requests": s["requests"],
                    "rows_received": s["rows_received"],
                    "repeated_keys": s["repeated_keys"],
                    "concurrent_same_key": s["concurrent_same_key"],
                    "bad_signatures": s["bad_signatures"],
                    "rows_applied": sum(len(v) for v in s["row_keys"].values()),
                    "distinct_rows": len(s["row_keys"]),
                    "duplicate_rows": len(dups),
                    "duplicate_examples": dict(list(dups.items())[:5]),
                    "runs": dict(s["runs"]),
                }
            return out


def make_handler(ledger, delay, secret):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):  # the ledger's log says what matters
            pass

        def _answer(self, status, body):
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self):
            url = urlparse(self.path)
            if url.path == "/stats":
                only = parse_qs(url.query).get("sync", [None])[0]
                self._answer(200, ledger.stats(only))
            else:  # the app's connection test
                self._answer(200, {"ok": True})

        def do_POST(self):
            raw = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            try:
                body = json.loads(raw)
                sync, run_id, rows = body["sync"], body["runId"], body["rows"]
                row_keys = [str(r["key"]) for r in rows]
            except (ValueError, KeyError, TypeError) as e:
                self._answer(400, {"error": "not the webhook wire format: %s" % e})
                return
            key = self.headers.get("Idempotency-Key")
            if not key:
                self._answer(400, {"error": "no Idempotency-Key"})
                return
            concurrent = ledger.arrive(sync, key, len(rows), self._signed(raw))
            applied = False
            try:
                time.sleep(delay)
                applied = ledger.apply(sync, key, run_id, row_keys)
            finally:
                ledger.leave(sync, key)
                ledger.write(
                    {
                        "t": round(time.time(), 3),
                        "sync": sync,
                        "runId": run_id,
                        "batch": body.get("batch"),
                        "key": key,
                        "rows": len(rows),
                        "applied": applied,
                        "concurrent": concurrent,
                    }
                )
            try:
                self._answer(200, {"applied": applied})
            except (BrokenPipeError, ConnectionResetError):
                pass  # the sender died meanwhile; the batch is applied all the same

        def _signed(self, raw):
            if not secret:
                return True
            header = self.headers.get("X-Studio-Signature", "")
            parts = dict(p.split("=", 1) for p in header.split(",") if "=" in p)
            if "t" not in parts or "v1" not in parts:
                return False
            mac = hmac.new(secret.encode(), parts["t"].encode() + b"." + raw, hashlib.sha256)
            return hmac.compare_digest(mac.hexdigest(), parts["v1"])

    return Handler


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--port", type=int, default=18099)
    p.add_argument("--delay-ms", type=int, default=200)
    p.add_argument("--secret", default="", help="signing secret to verify X-Studio-Signature")
    p.add_argument("--log", default="", help="JSON lines, one per request")
    a = p.parse_args()
    ledger = Ledger(a.log)
    server = ThreadingHTTPServer(("127.0.0.1", a.port), make_handler(ledger, a.delay_ms / 1000, a.secret))
    server.daemon_threads = True
    print("sink listening on 127.0.0.1:%d, %d ms per request" % (a.port, a.delay_ms), flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()

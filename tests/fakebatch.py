"""A fake OpenAI Batch API on 127.0.0.1, over the fake model server (``fakeserver.FakeServer``).

Files: ``POST /v1/files`` (multipart, purpose "batch"), ``GET /v1/files/{id}/content``. Batches:
``POST /v1/batches``, ``GET /v1/batches/{id}``, ``GET /v1/batches``, ``POST /v1/batches/{id}/cancel``.
A batch moves one status along ``steps`` each time it is retrieved (validating, in_progress, then
its outcome); when it ends "completed" every line is answered as the fake model server answers the
same request live (an answer that is not HTTP 200 goes to the error file), except the lines whose
request ``fail`` picks, which go to the error file. "expired" answers the first half of the lines
and puts the rest in the error file as ``batch_expired``; "failed" answers none (no output file).
Chat requests sent live are answered as ``FakeServer`` answers them.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from email.parser import BytesParser
from http.server import BaseHTTPRequestHandler
from typing import Any

from tests.fakeserver import FakeServer


@dataclass
class FakeBatchServer(FakeServer):
    steps: list[str] = field(default_factory=lambda: ["in_progress", "completed"])
    fail: Callable[[dict[str, Any]], bool] = lambda _line: False  # an input line to answer with an error
    files: dict[str, bytes] = field(default_factory=dict)
    batches: dict[str, dict[str, Any]] = field(default_factory=dict)
    created: int = 0  # batches created
    live: int = 0  # chat requests answered live
    _batch_lock: threading.RLock = field(default_factory=threading.RLock)

    # -- the Batch API ---------------------------------------------------------------------

    def _file(self, content: bytes) -> str:
        fid = f"file-{len(self.files) + 1}"
        self.files[fid] = content
        return fid

    def _retrieve(self, bid: str) -> dict[str, Any]:
        b = self.batches[bid]
        if b["status"] not in ("completed", "failed", "expired", "cancelled"):
            b["_step"] += 1
            status = self.steps[min(b["_step"], len(self.steps)) - 1]
            if status in ("completed", "expired", "failed"):
                self._finish(b, status)
            b["status"] = status
        return {k: v for k, v in b.items() if not k.startswith("_")}

    def _finish(self, b: dict[str, Any], status: str) -> None:
        lines = [json.loads(x) for x in self.files[b["input_file_id"]].decode().splitlines() if x.strip()]
        out, errors = [], []
        for n, line in enumerate(lines):
            if status == "failed" or (status == "expired" and n >= len(lines) // 2):
                errors.append({"id": f"req-{n}", "custom_id": line["custom_id"], "response": None,
                               "error": {"code": "batch_expired", "message": "not answered in time"}})
                continue
            if self.fail(line):
                errors.append({"id": f"req-{n}", "custom_id": line["custom_id"],
                               "response": {"status_code": 500, "body": {"error": {"message": "engine error"}}},
                               "error": None})
                continue
            answered = self.answer(line["url"], line["body"])
            status_code, _, content = answered if answered else (502, {}, b'{"error": {"message": "dropped"}}')
            entry = {"id": f"req-{n}", "custom_id": line["custom_id"],
                     "response": {"status_code": status_code, "request_id": f"r{n}", "body": json.loads(content)},
                     "error": None}
            (out if status_code == 200 else errors).append(entry)
        if status != "failed" and out:
            b["output_file_id"] = self._file("".join(json.dumps(x) + "\n" for x in out).encode())
        if errors:
            b["error_file_id"] = self._file("".join(json.dumps(x) + "\n" for x in errors).encode())
        b["request_counts"] = {"total": len(lines), "completed": len(out), "failed": len(errors)}

    def batch_answer(self, method: str, path: str, body: bytes, ctype: str) -> tuple[int, bytes] | None:
        """(status, JSON) for a files or batches request; None for any other path."""
        parts = path.split("?")[0].rstrip("/").split("/")
        with self._batch_lock:
            if parts[-1] == "files" and method == "POST":
                msg = BytesParser().parsebytes(b"Content-Type: " + ctype.encode() + b"\r\n\r\n" + body)
                content = next(p.get_payload(decode=True) for p in msg.walk()
                               if p.get_param("name", header="content-disposition") == "file")
                fid = self._file(content)
                return 200, json.dumps({"id": fid, "object": "file", "bytes": len(content), "created_at": 0,
                                        "filename": "batch.jsonl", "purpose": "batch", "status": "processed"}).encode()
            if len(parts) >= 2 and parts[-1] == "content" and parts[-3] == "files":
                return 200, self.files[parts[-2]]
            if parts[-1] == "batches" and method == "POST":
                req = json.loads(body)
                self.created += 1
                bid = f"batch_{self.created}"
                self.batches[bid] = {
                    "id": bid, "object": "batch", "endpoint": req["endpoint"], "errors": None,
                    "input_file_id": req["input_file_id"], "completion_window": req["completion_window"],
                    "status": "validating", "output_file_id": None, "error_file_id": None, "created_at": 0,
                    "request_counts": {"total": len(self.files[req["input_file_id"]].splitlines()),
                                       "completed": 0, "failed": 0},
                    "metadata": req.get("metadata"), "_step": 0}
                return 200, json.dumps(self._retrieve_raw(bid)).encode()
            if parts[-1] == "batches":
                data = [self._retrieve_raw(b) for b in self.batches]
                return 200, json.dumps({"object": "list", "data": data, "has_more": False}).encode()
            if parts[-2] == "batches" and method == "GET":
                return 200, json.dumps(self._retrieve(parts[-1])).encode()
            if parts[-1] == "cancel":
                self.batches[parts[-2]]["status"] = "cancelled"
                return 200, json.dumps(self._retrieve_raw(parts[-2])).encode()
        return None

    def _retrieve_raw(self, bid: str) -> dict[str, Any]:
        return {k: v for k, v in self.batches[bid].items() if not k.startswith("_")}

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        base = super()._handler()
        server = self

        class Handler(base):  # type: ignore[valid-type, misc]
            def _batch(self, method: str) -> bool:
                length = int(self.headers.get("content-length") or 0)
                self._body = self.rfile.read(length) if length else b""
                got = server.batch_answer(method, self.path, self._body, self.headers.get("content-type", ""))
                if got is None:
                    return False
                status, content = got
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(content)))
                self.end_headers()
                self.wfile.write(content)
                return True

            def do_GET(self) -> None:
                if not self._batch("GET"):
                    self._reply(None)

            def do_POST(self) -> None:
                if not self._batch("POST"):
                    server.live += 1
                    self._reply(json.loads(self._body or b"{}"))

        return Handler

"""Privacy canary: nothing identifying leaves a node, with 10,000 generated cases.

Every name, filiation, birth date, phone number, address and document number
the generator made is a canary. The node pushes through a recording proxy to a
real hub, with a real Celery worker and beat on Redis while Redis MONITOR
records every broker command. No byte the node sends (headers and bodies), no
broker message and no log line may contain a canary, its case-folded or
normalised form, or an unkeyed hash (MD5, SHA-1, SHA-256) of any of those.
"""

from __future__ import annotations

import base64
import binascii
import gzip
import hashlib
import json
import random
import re
import threading
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest
import redis

from shared.pseudonym import normalise_name
from tests.e2e.federation import (
    REDIS,
    Service,
    drop_database,
    linkage_secret_file,
    make_hub,
    make_node,
    query,
    start_beat,
    start_worker,
    wait_until,
)

pytestmark = pytest.mark.e2e
CASES = 10_000
WORD = re.compile(r"[^\W_]+")
DATE = re.compile(r"\d{4}-\d{2}-\d{2}|\d{2}/\d{2}/\d{4}")
DIGITS = re.compile(r"\+?\d[\d .-]{5,}\d")
HEX = re.compile(r"[0-9a-fA-F]{32,}")
BASE64 = re.compile(r"[A-Za-z0-9+/]{24,}={0,2}")
# Random identifiers (Celery task and delivery ids, request ids): their 4-hex-digit
# groups would otherwise read as words ("dafa" is both a UUID group and a name).
UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


def fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@dataclass
class Corpus:
    """Everything that left the node, split into what can be searched exactly."""

    words: set[str] = field(default_factory=set)
    dates: set[str] = field(default_factory=set)
    digit_runs: set[str] = field(default_factory=set)
    hexes: set[str] = field(default_factory=set)

    def add(self, text: str) -> None:
        text = BASE64.sub(lambda m: " " + _decoded(m.group(0)) + " ", text)
        text = UUID.sub(" ", text)
        self.dates.update(DATE.findall(text))
        self.digit_runs.update(re.sub(r"\D", "", run) for run in DIGITS.findall(text))
        self.hexes.update(h.lower() for h in HEX.findall(text))
        self.words.update(fold(w) for w in WORD.findall(text) if not HEX.fullmatch(w))


def _decoded(blob: str) -> str:
    """Broker messages carry base64 bodies: search what they say, not their letters."""
    try:
        raw = base64.b64decode(blob + "=" * (-len(blob) % 4), validate=True)
        return raw.decode("utf-8")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return ""


def hashes(value: str) -> set[str]:
    forms = {value, value.casefold(), fold(value), normalise_name(value)}
    return {getattr(hashlib, name)(form.encode()).hexdigest()
            for form in forms if form for name in ("md5", "sha1", "sha256")}


def leaks(canaries: Iterable[str], corpus: Corpus) -> list[str]:
    found = []
    for value in canaries:
        if DATE.fullmatch(value):
            hit = value in corpus.dates
        elif sum(c.isdigit() for c in value) >= 7:
            hit = re.sub(r"\D", "", value) in corpus.digit_runs
        else:
            words = {w for form in (value, normalise_name(value)) for w in WORD.findall(fold(form))
                     if len(w) >= 3}
            hit = bool(words) and words <= corpus.words
        if hit or hashes(value) & corpus.hexes:
            found.append(value)
    return found


class Recorder(BaseHTTPRequestHandler):
    """A proxy between the node and the hub that keeps every byte the node sends."""

    hub_url = ""
    captured: list[bytes] = []

    def _forward(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        head = f"{self.command} {self.path}\n{self.headers}".encode()
        self.captured.append(head)
        self.captured.append(gzip.decompress(body) if self.headers.get(
            "Content-Encoding") == "gzip" else body)
        headers = {k: v for k, v in self.headers.items() if k.lower() not in {"host"}}
        answer = httpx.request(self.command, self.hub_url + self.path, content=body,
                               headers=headers, timeout=120)
        self.send_response(answer.status_code)
        self.send_header("Content-Type", answer.headers.get("content-type", "text/plain"))
        self.send_header("Content-Length", str(len(answer.content)))
        self.end_headers()
        self.wfile.write(answer.content)

    do_POST = do_GET = _forward

    def log_message(self, *args: object) -> None:
        return


@pytest.fixture
def recorder() -> Iterator[tuple[str, list[bytes]]]:
    Recorder.captured = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}", Recorder.captured
    server.shutdown()


def monitor(redis_db: int, sink: list[str], stop: threading.Event) -> None:
    client = redis.Redis.from_url(f"{REDIS}/{redis_db}")
    with client.monitor() as watch:
        for command in watch.listen():
            sink.append(str(command.get("command", "")))
            if stop.is_set():
                return


def test_nothing_identifying_leaves_the_node(tmp_path: Path,
                                             recorder: tuple[str, list[bytes]]) -> None:
    proxy_url, captured = recorder
    hub = make_hub(tmp_path)
    redis_db = random.randint(1, 15)
    broker: list[str] = []
    stop = threading.Event()
    node: Service | None = None
    try:
        hub.start_web()
        Recorder.hub_url = hub.url
        node = make_node(tmp_path, "SN-TGI-TAM", hub, linkage_secret_file(tmp_path), redis_db)
        node.env["SYSTRAITE_HUB_URL"] = proxy_url
        canary_file = tmp_path / "canaries.json"
        seeded = node.manage("seed", "--cases", str(CASES), "--seed", "1602",
                             "--canary-file", str(canary_file), timeout=1500)
        threading.Thread(target=monitor, args=(redis_db, broker, stop), daemon=True).start()
        start_worker(node)
        start_beat(node)
        wait_until(lambda: query(node.database, "SELECT count(*) FROM sync_outboxpayload "
                                 "WHERE status = 'sent'")[0][0] > 0
                   and not query(node.database, "SELECT count(*) FROM sync_dirty")[0][0],
                   timeout=1200, message="the node never delivered its payload")
        stop.set()
        canaries = json.loads(canary_file.read_text(encoding="utf-8"))
        assert len(canaries) > 20_000, "the generator should have made many identities"
        assert query(hub.database, "SELECT count(*) FROM ingest_cell")[0][0] > 0

        corpus = Corpus()
        for chunk in captured:
            corpus.add(chunk.decode("utf-8", errors="replace"))
        for line in broker:
            corpus.add(line)
        for log in [*node.workdir.glob("*.log"), *hub.workdir.glob("*.log")]:
            corpus.add(log.read_text(encoding="utf-8", errors="replace"))
        corpus.add(seeded)
        assert len(captured) >= 2 and broker, "nothing was recorded: the test would prove nothing"
        assert leaks(canaries, corpus) == []

        # Positive control: the same detector finds a canary planted in the corpus.
        control = next(c for c in canaries if re.fullmatch(r"[A-Za-z]{6,}", c))
        planted = Corpus()
        planted.add(captured[1].decode() + json.dumps({"note": control}))
        assert leaks([control], planted) == [control]
    finally:
        stop.set()
        for service in (node, hub):
            if service is not None:
                service.stop_all()
                drop_database(service.database)

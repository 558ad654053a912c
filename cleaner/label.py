"""`clean label DIR`: label a site's pages in the browser, pre-labeled by the current model.

A small web app on 127.0.0.1 (a free port, printed on start; nothing leaves the machine).
It lists the pages of DIR (HTML files, or plain-text files), shows each page's blocks as the
model labeled them, the least certain marked, and a click flips a block between body and
chrome (shift-click: the run from the last clicked block). Every change is written at once,
atomically, in the project's labeled format (`NAME.html` + `NAME.lines`, or `NAME.lines` for
plain text) under the output folder, which `clean train --fixtures` and `clean adapt` read:
a closed tab or a killed server loses nothing that was shown as saved.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import threading
from collections.abc import Sequence
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

from .clean import Cleaner
from .errors import ModelError
from .read import SNIFF_BYTES, decode_bytes, is_html_page
from .segment import segment
from .training.labels import align, format_lines, read_lines
from .types import Document

PAGE_SUFFIXES = (".html", ".htm", ".txt")
UNCERTAIN = 0.25  # a block whose P(body) is within this of 0.5 is marked for a look
MAX_BODY_BYTES = 16 << 20


class LabelingSession:
    """The pages of one folder, their blocks as the model sees them, and the saved labels."""

    def __init__(self, pages_dir: Path, out_dir: Path, cleaner: Cleaner):
        self.pages = sorted(
            p for p in pages_dir.iterdir() if p.is_file() and p.suffix.lower() in PAGE_SUFFIXES
        )
        self.out_dir = out_dir
        self.cleaner = cleaner
        self._docs: dict[int, tuple[Document, list, list[float], int]] = {}
        self._lock = threading.Lock()

    def lines_path(self, index: int) -> Path:
        return self.out_dir / f"{self.pages[index].stem}.lines"

    def document(self, index: int):
        """The page as cleaning reads it, its blocks, their scores and the title's index (cached)."""
        with self._lock:
            if index not in self._docs:
                path = self.pages[index]
                data = path.read_bytes()
                kind = "html" if is_html_page(data[:SNIFF_BYTES]) else "text"
                doc = Document(decode_bytes(data, kind == "html"), kind, id=path.name)
                result = self.cleaner.clean(doc)
                blocks = segment(doc)[0]
                self._docs[index] = (doc, blocks, list(result.scores), result.title_index)
            return self._docs[index]

    def listing(self) -> list[dict]:
        return [
            {"index": i, "name": p.name, "saved": self.lines_path(i).exists()}
            for i, p in enumerate(self.pages)
        ]

    def page(self, index: int) -> dict:
        doc, blocks, scores, title_at = self.document(index)
        saved = self.lines_path(index).exists()
        if saved:
            labels = align([b.text for b in blocks], read_lines(self.lines_path(index)).labeled())
        else:
            labels = [
                "title" if i == title_at else ("body" if s >= 0.5 else "chrome") for i, s in enumerate(scores)
            ]
        return {
            "index": index,
            "name": self.pages[index].name,
            "kind": doc.kind,
            "saved": saved,
            "blocks": [
                {"text": b.text, "score": round(s, 3), "label": label, "uncertain": abs(s - 0.5) < UNCERTAIN}
                for b, s, label in zip(blocks, scores, labels)
            ],
        }

    def save(self, index: int, labels: Sequence[str]) -> None:
        """Write the page's labels (and, for HTML, the page beside them) atomically."""
        doc, blocks, _, _ = self.document(index)
        if len(labels) != len(blocks) or not set(labels) <= {"body", "chrome", "title"}:
            raise ValueError(f"expected {len(blocks)} labels of body, chrome or title")
        if labels.count("title") > 1:
            raise ValueError("at most one title a page")
        pairs = list(zip([b.text for b in blocks], labels))
        header = {"note": "labeled with clean label", "group": self.pages[index].parent.name}
        if doc.kind == "text":  # the raw lines, each with the label of the block it belongs to
            raw = doc.content.splitlines()
            line_labels = iter(align([line for line in raw if line.strip()], pairs))
            items = [None if not line.strip() else (line.rstrip(), next(line_labels)) for line in raw]
        else:
            items = pairs
        self.out_dir.mkdir(parents=True, exist_ok=True)
        if doc.kind == "html":
            page_copy = self.out_dir / f"{self.pages[index].stem}.html"
            if not page_copy.exists():
                _write_atomically(page_copy, self.pages[index].read_bytes())
        _write_atomically(self.lines_path(index), format_lines(items, header).encode("utf-8"))


def _write_atomically(path: Path, data: bytes) -> None:
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def handler_for(session: LabelingSession):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args) -> None:  # quiet: the terminal shows the address only
            pass

        def _send(self, status: int, body: bytes, content_type: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(body)

        def _json(self, value, status: int = HTTPStatus.OK) -> None:
            self._send(status, json.dumps(value).encode("utf-8"), "application/json")

        def _index(self, path: str) -> int | None:
            tail = path.rsplit("/", 1)[-1]
            if tail.isdigit() and int(tail) < len(session.pages):
                return int(tail)
            return None

        def do_GET(self) -> None:
            path = urlsplit(self.path).path
            if path == "/":
                self._send(HTTPStatus.OK, APP_PAGE.encode("utf-8"), "text/html; charset=utf-8")
            elif path == "/api/pages":
                self._json(session.listing())
            elif path.startswith("/api/page/") and (index := self._index(path)) is not None:
                self._json(session.page(index))
            else:
                self._json({"error": "not found"}, HTTPStatus.NOT_FOUND)

        def do_POST(self) -> None:
            path = urlsplit(self.path).path
            index = self._index(path) if path.startswith("/api/page/") else None
            length = int(self.headers.get("Content-Length") or 0)
            if index is None or not 0 < length <= MAX_BODY_BYTES:
                self._json({"error": "not found"}, HTTPStatus.NOT_FOUND)
                return
            try:
                session.save(index, json.loads(self.rfile.read(length))["labels"])
            except (ValueError, KeyError, TypeError) as error:
                self._json({"error": str(error)}, HTTPStatus.BAD_REQUEST)
                return
            self._json({"saved": True})

    return Handler


def serve(session: LabelingSession, port: int = 0) -> ThreadingHTTPServer:
    """The app's server on 127.0.0.1 (port 0: a free one); the caller runs serve_forever."""
    return ThreadingHTTPServer(("127.0.0.1", port), handler_for(session))


def run_label(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="clean label",
        description="Label the pages of a folder in the browser (127.0.0.1 only); labels are saved as you go.",
    )
    parser.add_argument("pages", type=Path, help="a folder of HTML pages (.html) or plain-text files (.txt)")
    parser.add_argument(
        "--out", type=Path, default=None, help="where the labeled pages go (default: PAGES/labeled)"
    )
    parser.add_argument("--model", type=Path, default=None, help="a model folder instead of the shipped one")
    parser.add_argument("--port", type=int, default=0, help="the port (default: a free one)")
    args = parser.parse_args(argv)
    if not args.pages.is_dir():
        print(f"clean label: {args.pages} is not a folder", file=sys.stderr)
        return 2
    try:
        cleaner = Cleaner(args.model)
    except ModelError as error:
        print(f"clean label: {error}", file=sys.stderr)
        return 2
    session = LabelingSession(args.pages, args.out or args.pages / "labeled", cleaner)
    if not session.pages:
        print(f"clean label: no .html, .htm or .txt files in {args.pages}", file=sys.stderr)
        return 2
    server = serve(session, args.port)
    print(
        f"clean label: http://127.0.0.1:{server.server_address[1]}/ ({len(session.pages)} pages; "
        f"labels go to {session.out_dir}; Ctrl-C to stop)",
        flush=True,
    )
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


APP_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>clean label</title>
<style>
body{font:15px/1.45 system-ui,sans-serif;margin:0;display:grid;grid-template-columns:16em 1fr;height:100vh}
nav{border-right:1px solid #ddd;overflow:auto;padding:.5em;background:#f6f6f6}
nav a{display:block;padding:.2em .4em;color:#1d1d1d;text-decoration:none;border-radius:4px}
nav a.current{background:#dde7f7}
nav a.saved::after{content:" ✓";color:#137333}
main{overflow:auto;padding:.6em 1.2em}
#status{position:sticky;top:0;background:#fff;padding:.3em 0;border-bottom:1px solid #eee;font-size:.9em}
ol{list-style:none;padding:0}
li{display:grid;grid-template-columns:3.2em 1fr;gap:.6em;padding:.3em .4em;border-left:4px solid transparent;cursor:pointer;user-select:none}
li.uncertain{border-left-color:#f2b100}
li.focus{outline:2px solid #4a7bd0}
li.chrome .text{color:#8a8a8a;text-decoration:line-through}
li.title .text{font-weight:700}
li .score{text-align:right;font-variant-numeric:tabular-nums;color:#555}
</style></head>
<body><nav id="pages"></nav><main>
<div id="status">click: flip a block · shift-click: flip the run from the last click ·
n / p: next / previous page · u: next uncertain block · <b id="saved">loading</b></div>
<ol id="blocks"></ol></main>
<script>
let pages=[], page=null, current=0, lastClicked=null, uncertainQueue=[];
const $=id=>document.getElementById(id);
async function loadPages(){pages=await (await fetch('/api/pages')).json(); drawPages();}
function drawPages(){
  $('pages').innerHTML='';
  for(const p of pages){const a=document.createElement('a'); a.href='#'; a.textContent=p.name;
    a.className=(p.index===current?'current ':'')+(p.saved?'saved':'');
    a.onclick=e=>{e.preventDefault(); openPage(p.index);}; $('pages').appendChild(a);}
}
async function openPage(i){
  current=i; lastClicked=null; page=await (await fetch('/api/page/'+i)).json();
  uncertainQueue=page.blocks.map((b,j)=>[Math.abs(b.score-0.5),j]).filter(x=>page.blocks[x[1]].uncertain)
    .sort((a,b)=>a[0]-b[0]).map(x=>x[1]);
  $('saved').textContent=page.saved?'saved':'not saved yet (model labels)'; drawBlocks(); drawPages();
}
function drawBlocks(){
  const ol=$('blocks'); ol.innerHTML='';
  page.blocks.forEach((b,j)=>{const li=document.createElement('li');
    li.className=b.label+(b.uncertain?' uncertain':''); li.dataset.index=j;
    li.innerHTML='<span class="score"></span><span class="text"></span>';
    li.querySelector('.score').textContent=b.score.toFixed(2); li.querySelector('.text').textContent=b.text;
    li.onclick=e=>flip(j,e.shiftKey); ol.appendChild(li);});
}
function flipped(label){return label==='body'?'chrome':'body';}
async function flip(j,run){
  const label=flipped(page.blocks[j].label);
  const [lo,hi]=run&&lastClicked!==null?[Math.min(lastClicked,j),Math.max(lastClicked,j)]:[j,j];
  for(let k=lo;k<=hi;k++) page.blocks[k].label=label;
  lastClicked=j; drawBlocks(); await save();
}
async function save(){
  $('saved').textContent='saving';
  const r=await fetch('/api/page/'+current,{method:'POST',headers:{'Content-Type':'application/json'},
    body:JSON.stringify({labels:page.blocks.map(b=>b.label)})});
  $('saved').textContent=r.ok?'saved':'NOT saved: '+(await r.json()).error;
  if(r.ok){pages[current].saved=true; drawPages();}
}
function nextUncertain(){
  if(!uncertainQueue.length) return; const j=uncertainQueue.shift(); uncertainQueue.push(j);
  document.querySelectorAll('li.focus').forEach(li=>li.classList.remove('focus'));
  const li=document.querySelector('li[data-index="'+j+'"]'); li.classList.add('focus'); li.scrollIntoView({block:'center'});
}
document.addEventListener('keydown',e=>{
  if(e.key==='n'&&current<pages.length-1) openPage(current+1);
  else if(e.key==='p'&&current>0) openPage(current-1);
  else if(e.key==='u') nextUncertain();
});
loadPages().then(()=>openPage(0));
</script></body></html>
"""

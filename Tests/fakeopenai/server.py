#!/usr/bin/env python3
"""A fake OpenAI fine-tuning API for ftsh's tests (Python standard library plus PyYAML and
jsonschema for the spec checks).

    python3 server.py --port 0 --port-file PORT --key sk-test... [--faults FILE] [--clock wall --speed 20]

Serves /v1/files, /v1/fine_tuning/jobs/**, /v1/models, /v1/chat/completions (and the same
under /openai/ with `api-version`, as Azure does). Every request is checked against the shared
OpenAPI subset; a request that does not match gets a 400 and is listed by
GET /_fake/violations. Faults are injected by rules (from --faults or POST /_fake/faults):

    {"method": "POST", "path": "/fine_tuning/jobs$", "kind": "drop-after", "times": 1, "skip": 0}

kinds: status (with "status", "retry_after", "retry_after_ms", "should_retry"), slow ("delay"),
drop (close before acting), drop-after (act, then close), truncate (act, send half the body),
html ("status", default 502), garbage (200 with bytes that are not JSON).
"""
import argparse
import copy
import json
import os
import re
import signal
import socket
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from state import ApiError, Clock, State, paginate, public  # noqa: E402

HTML_404 = b"<!DOCTYPE html><html><head><title>404 Not Found</title></head><body><h1>Not Found</h1></body></html>"


class Fake:
    def __init__(self, args):
        self.key = args.key
        self.args = args
        self.states = {}
        self.spec = None
        if not args.no_validate:
            from spec import Spec
            self.spec = Spec(args.spec)
        self.initial_faults = []
        if args.faults:
            with open(args.faults, encoding="utf-8") as f:
                self.initial_faults = json.load(f)
        self.violations, self.response_violations, self.log = [], [], []
        self.request_counter = 0
        self.lock = threading.Lock()

    def state_for(self, session):
        """Each ftsh session (X-Ftsh-Session) sees its own files, jobs and clock, so a
        transcript replayed several times in one process starts from the same state."""
        with self.lock:
            if session not in self.states:
                a = self.args
                state = State(Clock(a.clock, a.tick, a.speed), results_base64=not a.plain_results)
                state.faults = copy.deepcopy(self.initial_faults)  # each session meets the same faults
                self.states[session] = state
            return self.states[session]

    def take_fault(self, session, method, path):
        state = self.state_for(session)
        with self.lock:
            for rule in state.faults:
                if rule.get("method", method) != method or not re.search(rule.get("path", ""), path):
                    continue
                if rule.get("skip", 0) > 0:
                    rule["skip"] -= 1
                    continue
                if rule.get("times", 1) > 0:
                    rule["times"] = rule.get("times", 1) - 1
                    return rule
        return None


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = 30  # a client that promises a body and sends none must not hold a thread forever
    fake: Fake = None

    def log_message(self, fmt, *args):
        if os.environ.get("FTSH_FAKE_VERBOSE"):
            sys.stderr.write("fake: " + (fmt % args) + "\n")

    def do_GET(self):
        self.handle_any("GET")

    def do_POST(self):
        self.handle_any("POST")

    def do_DELETE(self):
        self.handle_any("DELETE")

    def read_body(self):
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            out = b""
            while True:
                size = int(self.rfile.readline().strip().split(b";")[0], 16)
                if size == 0:
                    self.rfile.readline()
                    return out
                out += self.rfile.read(size)
                self.rfile.readline()
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n else b""

    def send(self, status, payload=None, body=None, headers=(), truncate=False):
        if body is None:
            body = json.dumps(payload).encode()
        counter = getattr(self, "state", None) or self.fake  # request ids count per session too
        with self.fake.lock:
            counter.request_counter += 1
            rid = f"req_fake{counter.request_counter:06d}"
        self.send_response(status)
        self.send_header("Content-Type", "application/json" if payload is not None else "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("x-request-id", rid)
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        if truncate:
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        self.wfile.write(body)

    def handle_any(self, method):
        self.deployment = None
        self.state = None
        parts = urlsplit(self.path)
        query = parse_qs(parts.query, keep_blank_values=True)
        body = self.read_body()
        path = parts.path
        if path.startswith("/_fake/"):
            return self.control(method, path, body)
        session = self.headers.get("X-Ftsh-Session", "")
        self.state = self.fake.state_for(session)
        fault = self.fake.take_fault(session, method, path)
        if fault and fault["kind"] == "slow":
            time.sleep(float(fault.get("delay", 2)))
        elif fault and fault["kind"] == "drop":
            self.close_connection = True
            return
        elif fault and fault["kind"] == "status":
            headers = []
            if "retry_after" in fault:
                headers.append(("Retry-After", str(fault["retry_after"])))
            if "retry_after_ms" in fault:
                headers.append(("retry-after-ms", str(fault["retry_after_ms"])))
            if "should_retry" in fault:
                headers.append(("x-should-retry", "true" if fault["should_retry"] else "false"))
            status = int(fault.get("status", 500))
            kind = "rate_limit_exceeded" if status == 429 else "server_error"
            return self.send(status, {"error": {"message": fault.get("message", f"injected {status}"),
                                                "type": "requests" if status == 429 else "server_error",
                                                "param": None, "code": kind}}, headers=headers)
        elif fault and fault["kind"] == "html":
            return self.send(int(fault.get("status", 502)), body=b"<html><body><h1>502 Bad Gateway</h1></body></html>")
        elif fault and fault["kind"] == "garbage":
            self.send_response(200)
            junk = b"\x00\x17garbage\xff not json"
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(junk)))
            self.end_headers()
            self.wfile.write(junk)
            return

        azure = path.startswith("/openai/")
        if azure:
            if "api-version" not in query:
                return self.send(404, {"error": {"code": "404", "message": "Resource not found"}})
            api_path = path[len("/openai"):]
            query.pop("api-version")
            m = re.match(r"^/deployments/([^/]+)(/chat/completions)$", api_path)
            if m:
                api_path = m.group(2)
                self.deployment = m.group(1)
        elif path.startswith("/v1/"):
            api_path = path[3:]
        else:
            return self.send(404, body=HTML_404)
        key = self.headers.get("api-key") if azure else None
        auth = self.headers.get("Authorization", "")
        if key is None and auth.startswith("Bearer "):
            key = auth[len("Bearer "):]
        if not key or (self.fake.key and key != self.fake.key):
            return self.send(401, {"error": {"message": "Incorrect API key provided. You can find your API key at https://platform.openai.com/account/api-keys.",
                                             "type": "invalid_request_error", "param": None, "code": "invalid_api_key"}})
        self.fake.log.append({"method": method, "path": api_path, "query": query,
                              "content_type": self.headers.get("Content-Type")})
        form = None
        if self.fake.spec is not None:
            content_type = self.headers.get("Content-Type")
            instance = body
            if content_type and content_type.startswith("multipart/form-data"):
                form = parse_multipart(content_type, body)
                instance = {k: (v if isinstance(v, str) else "<binary>") for k, v in form.items()}
            problems = self.fake.spec.check_request(method, api_path, query, content_type, instance)
            if problems:
                self.fake.violations.append({"method": method, "path": api_path, "problems": problems})
                return self.send(400, {"error": {"message": "request does not match the OpenAPI spec: " + "; ".join(problems),
                                                 "type": "invalid_request_error", "param": None, "code": "spec_violation"}})
        state = self.fake.state_for(session)
        with state.lock:
            state.clock.on_request()
            try:
                status, payload = route(state, method, api_path, query, body, form,
                                        getattr(self, "deployment", None))
            except ApiError as e:
                status, payload = e.status, e.envelope()
        if isinstance(payload, bytes):
            if fault and fault["kind"] == "drop-after":
                self.close_connection = True
                return
            self.send_response(status)
            self.send_header("Content-Type", "application/octet-stream")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
            return
        if self.fake.spec is not None and status < 300:
            for p in self.fake.spec.check_response(method, api_path, status, payload):
                self.fake.response_violations.append(p)
        if fault and fault["kind"] == "drop-after":
            self.close_connection = True
            return
        self.send(status, payload, truncate=bool(fault and fault["kind"] == "truncate"))

    def control(self, method, path, body):
        f = self.fake
        if path == "/_fake/violations":
            return self.send(200, {"requests": f.violations, "responses": f.response_violations})
        if path == "/_fake/log":
            return self.send(200, {"requests": f.log})
        if path == "/_fake/faults" and method == "POST":
            rules = json.loads(body or b"[]")
            with f.lock:
                f.initial_faults = rules
                for state in f.states.values():
                    state.faults = copy.deepcopy(rules)
            return self.send(200, {"faults": len(rules)})
        if path == "/_fake/advance" and method == "POST":
            state = f.state_for(self.headers.get("X-Ftsh-Session", ""))
            with state.lock:
                state.clock.advance(float(json.loads(body)["seconds"]))
            return self.send(200, {"now": state.clock.now()})
        return self.send(404, body=HTML_404)


def parse_multipart(content_type, body):
    m = re.search(r'boundary="?([^";]+)"?', content_type)
    if not m:
        return {}
    boundary = b"--" + m.group(1).encode()
    form = {}
    for part in body.split(boundary)[1:]:
        if part.startswith(b"--"):
            break
        head, _, data = part.lstrip(b"\r\n").partition(b"\r\n\r\n")
        data = data[:-2] if data.endswith(b"\r\n") else data
        disp = re.search(rb'name="([^"]*)"(?:; filename="([^"]*)")?', head)
        if not disp:
            continue
        name = disp.group(1).decode()
        form[name] = (disp.group(2).decode(), data) if disp.group(2) is not None else data.decode()
    return form


def one(query, name, default=None):
    v = query.get(name)
    return v[0] if v else default


def listing(items, query, default_limit, extra=False):
    limit = int(one(query, "limit", default_limit))
    page, more = paginate(items, one(query, "after"), limit)
    out = {"object": "list", "data": page, "has_more": more}
    if extra:
        out["first_id"] = page[0]["id"] if page else ""
        out["last_id"] = page[-1]["id"] if page else ""
    return out


def route(st, method, path, query, body, form, deployment):
    seg = [s for s in path.split("/") if s]
    if seg == ["files"] and method == "POST":
        if not form or "file" not in form or isinstance(form["file"], str):
            raise ApiError(400, "Missing file.", param="file")
        filename, data = form["file"]
        return 200, st.add_file(filename, form.get("purpose", ""), data)
    if seg == ["files"] and method == "GET":
        files = [f["meta"] for f in st.files.values()]
        if one(query, "purpose"):
            files = [f for f in files if f["purpose"] == one(query, "purpose")]
        files.sort(key=lambda f: (f["created_at"], f["id"]), reverse=one(query, "order", "desc") == "desc")
        return 200, listing(files, query, 10000, extra=True)
    if len(seg) == 2 and seg[0] == "files":
        if method == "GET":
            return 200, st.file(seg[1])["meta"]
        if method == "DELETE":
            st.file(seg[1])
            del st.files[seg[1]]
            return 200, {"id": seg[1], "object": "file", "deleted": True}
    if len(seg) == 3 and seg[0] == "files" and seg[2] == "content" and method == "GET":
        return 200, st.file(seg[1])["content"]
    if seg == ["fine_tuning", "jobs"] and method == "POST":
        return 200, public(st.create_job(json.loads(body)))
    if seg == ["fine_tuning", "jobs"] and method == "GET":
        jobs = sorted(st.jobs.values(), key=lambda j: (j["created_at"], j["id"]), reverse=True)
        wanted = {k[len("metadata["):-1]: v[0] for k, v in query.items() if k.startswith("metadata[")}
        if wanted:
            jobs = [j for j in jobs if all((j["metadata"] or {}).get(k) == v for k, v in wanted.items())]
        for j in jobs:
            st.advance(j)
        out = listing([public(j) for j in jobs], query, 20)
        return 200, out
    if len(seg) >= 3 and seg[:2] == ["fine_tuning", "jobs"]:
        jid = seg[2]
        if len(seg) == 3 and method == "GET":
            return 200, public(st.job(jid))
        action = seg[3] if len(seg) == 4 else None
        if method == "POST" and action in ("cancel", "pause", "resume"):
            return 200, public(getattr(st, action)(jid))
        if method == "GET" and action == "events":
            st.job(jid)
            events = sorted(st.events[jid], key=lambda e: (e["created_at"], e["id"]), reverse=True)
            return 200, listing(events, query, 20)
        if method == "GET" and action == "checkpoints":
            st.job(jid)
            cks = sorted(st.checkpoints[jid], key=lambda c: c["step_number"], reverse=True)
            return 200, listing(cks, query, 10, extra=True)
    if seg == ["models"] and method == "GET":
        return 200, {"object": "list", "data": st.models()}
    if len(seg) == 2 and seg[0] == "models":
        return 200, (st.model(seg[1]) if method == "GET" else st.delete_model(seg[1]))
    if seg == ["chat", "completions"] and method == "POST":
        req = json.loads(body)
        model = deployment or req.get("model")
        if deployment is None:
            st.model(model)
        last = next((m.get("content") for m in reversed(req["messages"]) if m.get("role") == "user"), "") or ""
        text = f"(fake {model}) you said: {last}"
        return 200, {"id": f"chatcmpl-fake{st.next_id('', 6)}", "object": "chat.completion", "created": st.clock.now(),
                     "model": model, "choices": [{"index": 0, "finish_reason": "stop", "logprobs": None,
                                                  "message": {"role": "assistant", "content": text, "refusal": None}}],
                     "usage": {"prompt_tokens": len(last.split()) + 8, "completion_tokens": len(text.split()),
                               "total_tokens": len(last.split()) + 8 + len(text.split())}}
    raise ApiError(404, f"Invalid URL ({method} /v1{path})", code="unknown_url")


class QuietServer(ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        # A client that gave up (a timeout test) leaves a broken pipe behind; that is expected.
        if isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
            return
        super().handle_error(request, client_address)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    default_spec = os.path.join(here, "openai-finetuning-openapi.yaml")
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--port-file")
    ap.add_argument("--key", default=None, help="the only API key accepted (default: any)")
    ap.add_argument("--faults")
    ap.add_argument("--spec", default=os.environ.get("FTSH_OPENAPI_SPEC", default_spec))
    ap.add_argument("--no-validate", action="store_true")
    ap.add_argument("--clock", choices=["requests", "wall"], default="requests")
    ap.add_argument("--tick", type=float, default=3.0, help="fake seconds per request (requests clock)")
    ap.add_argument("--speed", type=float, default=10.0, help="fake seconds per real second (wall clock)")
    ap.add_argument("--plain-results", action="store_true", help="serve result CSVs without base64")
    args = ap.parse_args()
    # A parent may start us with signals blocked; make SIGTERM and SIGINT work, and leave when
    # the parent goes away so no server outlives its test run.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})
    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
    parent = os.getppid()

    def watch_parent():
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(0)

    threading.Thread(target=watch_parent, daemon=True).start()
    Handler.fake = Fake(args)
    server = QuietServer(("127.0.0.1", args.port), Handler)
    server.daemon_threads = True
    port = server.server_address[1]
    if args.port_file:
        tmp = args.port_file + ".tmp"
        with open(tmp, "w") as f:
            f.write(str(port))
        os.replace(tmp, args.port_file)
    print(f"fake OpenAI API on http://127.0.0.1:{port}/v1", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()

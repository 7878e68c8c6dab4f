#!/usr/bin/env python3
"""Runs the openai transcripts against the fake server, then the end-to-end checks that a
transcript cannot express: bad configuration, and that no byte of the API key reaches any
file ftsh writes.

    python3 Tests/fakeopenai/run_transcripts.py FTSH [--update] [TRANSCRIPT...]

Each transcript gets a fresh server on a free loopback port (so ids and the server's clock
start the same every run) with NAME.faults.json as its fault rules when present; ftsh sees it
through OPENAI_BASE_URL, which transcripts never print. `offline*.ftsh` run with no server and
no key at all: they replay their cassette. After each run the server's list of requests that
did not match the OpenAPI subset must be empty.
"""
import json
import os
import secrets
import subprocess
import sys
import tempfile
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
TRANSCRIPTS = os.path.join(ROOT, "Tests", "Transcripts", "openai")


class Server:
    def __init__(self, key, faults=None, tmp=None):
        self.port_file = os.path.join(tmp, f"port-{secrets.token_hex(4)}")
        args = [sys.executable, os.path.join(HERE, "server.py"), "--port", "0", "--port-file", self.port_file, "--key", key]
        if faults:
            args += ["--faults", faults]
        self.proc = subprocess.Popen(args, stdout=subprocess.DEVNULL)
        deadline = time.time() + 30
        while not os.path.exists(self.port_file):
            if time.time() > deadline or self.proc.poll() is not None:
                raise SystemExit("fake server did not start")
            time.sleep(0.05)
        self.port = int(open(self.port_file).read())
        self.base = f"http://127.0.0.1:{self.port}/v1"

    def violations(self):
        with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/_fake/violations") as r:
            return json.load(r)

    def stop(self):
        self.proc.terminate()
        self.proc.wait()


def base_env(home):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "AZURE_OPENAI_", "FTSH_OPENAI_"))}
    env["HOME"] = home
    for k in ("XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME"):
        env.pop(k, None)
    if "FTSH_ENCODINGS_DIR" not in env and "HOME" in os.environ:
        env["FTSH_ENCODINGS_DIR"] = os.path.join(os.environ["HOME"], ".cache", "ftsh", "encodings")
    return env


def run_transcripts(ftsh, update, files, tmp):
    failed = 0
    for path in files:
        name = os.path.basename(path)
        key = "sk-ftshcheck-" + secrets.token_urlsafe(18)
        env = base_env(os.path.join(tmp, "home-" + name))
        server = None
        if not name.startswith("offline"):
            faults = path[:-len(".ftsh")] + ".faults.json"
            server = Server(key, faults if os.path.exists(faults) else None, tmp)
            env.update(OPENAI_BASE_URL=server.base, OPENAI_API_KEY=key)
        try:
            r = subprocess.run([ftsh, "--update" if update else "--check", path], env=env, capture_output=True, text=True)
            sys.stdout.write(r.stdout)
            sys.stderr.write(r.stderr)
            if r.returncode != 0:
                failed += 1
            if server:
                v = server.violations()
                for item in v["requests"]:
                    print(f"FAIL  {name}: request off the OpenAPI subset: {json.dumps(item)}")
                for item in v["responses"]:
                    print(f"FAIL  {name}: fake server response off the subset: {item}")
                failed += bool(v["requests"] or v["responses"])
        finally:
            if server:
                server.stop()
    return failed


def expect_error(label, ftsh, env, command, *needles):
    r = subprocess.run([ftsh, "-c", command], env=env, capture_output=True, text=True, timeout=120)
    lines = [ln for ln in r.stderr.splitlines() if ln.startswith("error:")]
    ok = r.returncode != 0 and len(lines) == 1 and all(n in lines[0] for n in needles) and "Traceback" not in r.stderr \
        and "Fatal error" not in r.stderr
    print(("ok    " if ok else "FAIL  ") + f"bad input: {label}" + ("" if ok else f"\n{r.stderr}"))
    return 0 if ok else 1


def bad_input(ftsh, tmp):
    failed = 0
    key = "sk-ftshcheck-" + secrets.token_urlsafe(18)
    server = Server(key, tmp=tmp)
    try:
        env = base_env(os.path.join(tmp, "home-bad"))
        failed += expect_error("no key", ftsh, env, "job list", "no API key: set OPENAI_API_KEY")
        env.update(OPENAI_API_KEY=key, OPENAI_BASE_URL=f"http://127.0.0.1:{server.port}")
        failed += expect_error("base URL without /v1", ftsh, env, "job list", "404 with an HTML page", "OPENAI_BASE_URL")
        env["OPENAI_BASE_URL"] = "htp:/nowhere"
        failed += expect_error("malformed base URL", ftsh, env, "job list", "OPENAI_BASE_URL is not an http(s) URL")
        env["OPENAI_BASE_URL"] = server.base
        env["OPENAI_API_KEY"] = "sk-wrong-" + secrets.token_urlsafe(12)
        failed += expect_error("wrong key", ftsh, env, "job list", "401", "check OPENAI_API_KEY")
        env["OPENAI_API_KEY"] = key
        big = os.path.join(tmp, "big.jsonl")
        with open(big, "wb") as f:
            f.truncate(512 * 1024 * 1024 + 1)
        failed += expect_error("file over 512 MB", ftsh, env, f"file upload {big}", "512 MB")
        os.remove(big)
        env["FTSH_OPENAI_TIMEOUT"] = "1"
        faults = [{"path": "/models$", "kind": "slow", "delay": 2, "times": 3}]
        req = urllib.request.Request(f"http://127.0.0.1:{server.port}/_fake/faults", data=json.dumps(faults).encode(), method="POST")
        urllib.request.urlopen(req).read()
        failed += expect_error("slow server", ftsh, env, "openai models", "timed out after 3 attempts")
    finally:
        server.stop()
    return failed


def secrets_check(ftsh, tmp):
    """A whole session with a key-shaped key, recorded to a transcript and a cassette, with
    history on; then every file ftsh wrote, and what it printed, is searched for the key."""
    key = "sk-proj-" + secrets.token_urlsafe(30)
    server = Server(key, tmp=tmp)
    work = os.path.join(tmp, "secrets")
    home = os.path.join(work, "home")
    os.makedirs(home)
    with open(os.path.join(TRANSCRIPTS, "data", "train.jsonl"), "rb") as src, open(os.path.join(work, "train.jsonl"), "wb") as dst:
        dst.write(src.read())
    session = "\n".join([
        "record start rec.ftsh",
        "openai cassette s.cassette.jsonl --mode record",
        "openai status",
        "set f = file upload train.jsonl",
        "set j = job create --model gpt-4o-mini-2024-07-18 --training-file $f.id --epochs 1",
        "set done = job watch $j.id --interval 0.01",
        "job results $j.id --save results.csv",
        "openai chat $done.fine_tuned_model hello",
        "job get nope",
        "record stop",
    ]) + "\n"
    script = os.path.join(tmp, "secrets-session.ftsh")  # written by the test, outside the searched folder
    with open(script, "w") as f:
        f.write(session)
    env = base_env(home)
    env.update(OPENAI_API_KEY=key, OPENAI_BASE_URL=server.base)
    failed = 0
    try:
        r = subprocess.run([ftsh, "--keep-going", script], cwd=work, env=env, capture_output=True, timeout=300)
        outputs = [("stdout", r.stdout), ("stderr", r.stderr)]
        interactive = None
        try:
            import pexpect  # history is written by the interactive prompt only
            child = pexpect.spawn(ftsh, cwd=work, env=env, encoding="utf-8", timeout=60)
            child.expect("ft> ")
            for line in ["openai status", "job list", "openai chat gpt-4o-mini-2024-07-18 hi", "exit"]:
                child.sendline(line)
                if line != "exit":
                    child.expect("ft> ")
            child.expect(pexpect.EOF)
            interactive = child.before or ""
            outputs.append(("interactive", interactive.encode()))
        except ImportError:
            print("note: pexpect missing; interactive history not covered")
        written = []
        for folder, _dirs, names in os.walk(work):
            for n in names:
                written.append(os.path.join(folder, n))
        expected = {"rec.ftsh", "s.cassette.jsonl", "results.csv"}
        missing = expected - {os.path.basename(p) for p in written}
        if missing:
            print(f"FAIL  secrets: the session did not write {sorted(missing)}\n{r.stdout.decode()}{r.stderr.decode()}")
            failed += 1
        if interactive is not None and not any(os.path.basename(p) == "history" for p in written):
            print("FAIL  secrets: no history file was written")
            failed += 1
        needle = key.encode()
        for path in written:
            with open(path, "rb") as f:
                if needle in f.read():
                    print(f"FAIL  secrets: the key is in {os.path.relpath(path, work)}")
                    failed += 1
        for label, data in outputs:
            if needle in data:
                print(f"FAIL  secrets: the key is in ftsh's {label}")
                failed += 1
        if not failed:
            print(f"ok    secrets: the key is in none of {len(written)} files ftsh wrote, nor in its output")
    finally:
        server.stop()
    return failed


def detach_check(ftsh, tmp):
    """Ctrl-C during `job watch` at the prompt detaches: the job is not cancelled and the
    prompt comes back."""
    try:
        import pexpect
    except ImportError:
        print("note: pexpect missing; Ctrl-C detach not covered")
        return 0
    key = "sk-ftshcheck-" + secrets.token_urlsafe(18)
    server = Server(key, tmp=tmp)
    env = base_env(os.path.join(tmp, "home-detach"))
    env.update(OPENAI_API_KEY=key, OPENAI_BASE_URL=server.base)
    try:
        child = pexpect.spawn(ftsh, cwd=TRANSCRIPTS, env=env, encoding="utf-8", timeout=60)
        child.expect("ft> ")
        child.sendline("set j = job create --model gpt-4o-mini-2024-07-18 --training-file data/train100.jsonl")
        child.expect("ft> ")
        child.sendline("job watch $j.id --interval 0.5")
        child.expect("Created fine-tuning job")
        time.sleep(1.0)
        child.sendcontrol("c")
        child.expect("detached from ftjob-")
        child.expect("ft> ")
        child.sendline("set after = job get $j.id")
        child.expect("ft> ")
        child.sendline("echo status=$after.status")
        child.expect(r"status=(\w+)")
        status = child.match.group(1)
        child.sendline("exit")
        child.expect(pexpect.EOF)
        ok = status in ("validating_files", "queued", "running")
        print(("ok    " if ok else "FAIL  ") + f"Ctrl-C detaches job watch (job still {status})")
        return 0 if ok else 1
    except pexpect.ExceptionPexpect as e:
        print(f"FAIL  Ctrl-C detach: {type(e).__name__}\n{getattr(child, 'before', '')}")
        return 1
    finally:
        server.stop()


def main():
    args = [a for a in sys.argv[1:] if a != "--update"]
    update = "--update" in sys.argv
    if not args:
        raise SystemExit(__doc__)
    ftsh = os.path.abspath(args[0])
    files = [os.path.abspath(a) for a in args[1:]] or sorted(
        os.path.join(TRANSCRIPTS, n) for n in os.listdir(TRANSCRIPTS) if n.endswith(".ftsh"))
    with tempfile.TemporaryDirectory(prefix="ftsh-openai-") as tmp:
        failed = run_transcripts(ftsh, update, files, tmp)
        if len(args) == 1:
            failed += bad_input(ftsh, tmp)
            failed += secrets_check(ftsh, tmp)
            failed += detach_check(ftsh, tmp)
    print("openai: all passed" if failed == 0 else f"openai: {failed} failure(s)")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()

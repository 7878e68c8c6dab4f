#!/usr/bin/env python3
"""Drives the interactive ftsh prompt through a pseudo-terminal, as a person would type.

Run:  FTSH_BIN=.build/debug/ftsh python3 Tests/pty/test_repl.py -v
Needs pexpect (`pip install pexpect`). Each test runs ftsh with a fresh HOME and XDG
directories, so the user's ~/.editrc, rc file and history never leak in.
"""
import json
import time
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

try:
    import pexpect
except ImportError:
    sys.exit("test_repl.py needs pexpect: pip install pexpect")

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PROMPT = "ft> "
TIMEOUT = 15
UP = "\x1b[A"
CTRL_C = "\x03"
CTRL_D = "\x04"


def ftsh_binary():
    path = os.environ.get("FTSH_BIN")
    if not path:
        sys.exit("set FTSH_BIN to the ftsh executable to test")
    path = os.path.abspath(path)
    if not os.access(path, os.X_OK):
        sys.exit(f"FTSH_BIN={path} is not an executable file")
    return path


def output_line(text):
    """A whole line of command output: starts right after the line that was typed."""
    return "\r\n" + re.escape(text) + "\r\n"


class Session:
    """One ftsh process on a pseudo-terminal, in a sandbox directory tree."""

    def __init__(self, root, cwd, color=False):
        env = {
            "HOME": os.path.join(root, "home"),
            "XDG_STATE_HOME": os.path.join(root, "state"),
            "XDG_CONFIG_HOME": os.path.join(root, "config"),
            "XDG_CACHE_HOME": os.path.join(root, "cache"),
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "TERM": "xterm-256color",
            # A non-UTF-8 locale on purpose: ftsh must still switch character handling to UTF-8.
            "LANG": "C",
        }
        if not color:
            env["NO_COLOR"] = "1"
        self.child = pexpect.spawn(ftsh_binary(), [], cwd=cwd, env=env, encoding="utf-8",
                                   codec_errors="replace", dimensions=(24, 100), timeout=TIMEOUT)

    def prompt(self):
        self.child.expect_exact(PROMPT)

    def run(self, line, expected):
        self.child.sendline(line)
        self.child.expect(output_line(expected))
        self.prompt()

    def serve(self, data_dir):
        """Starts ftsh serve in this session and points the job commands at it."""
        self.child.sendline(f"set srv = serve start --data-dir {data_dir}")
        self.prompt()
        self.child.sendline("set openai_base_url = $srv.url")
        self.prompt()

    def close(self):
        if self.child.isalive():
            self.child.sendcontrol("d")
            self.child.expect(pexpect.EOF)
        self.child.close()


class ReplTest(unittest.TestCase):
    def setUp(self):
        self.root = tempfile.mkdtemp(prefix="ftsh-pty-")
        for name in ("home", "state", "config", "cache", "work"):
            os.makedirs(os.path.join(self.root, name))
        self.work = os.path.join(self.root, "work")
        self.sessions = []

    def tearDown(self):
        for s in self.sessions:
            try:
                s.close()
            except Exception:
                s.child.terminate(force=True)
        shutil.rmtree(self.root, ignore_errors=True)

    def start(self, color=False):
        s = Session(self.root, self.work, color)
        self.sessions.append(s)
        s.prompt()
        return s

    def history_entries(self):
        path = os.path.join(self.root, "state", "ftsh", "history")
        with open(path, encoding="utf-8") as f:
            lines = f.read().splitlines()
        self.assertEqual(lines[0], "_HiStOrY_V2_")
        # Entries are vis-encoded; commands in these tests only need spaces decoded.
        return [line.replace("\\040", " ") for line in lines[1:]]

    def test_prompt_and_korean_input(self):
        s = self.start()
        s.run("echo 안녕하세요", "안녕하세요")

    def test_tab_completes_command(self):
        s = self.start()
        s.child.send("hel\t")
        # libedit writes the completed suffix right after the typed text.
        s.child.expect_exact("p ")
        s.child.send("\r")
        s.prompt()
        # The command that ran, as recorded: "help", not "hel".
        self.assertIn(self.history_entries()[-1].rstrip(), ["help"])
        # A completed command runs with the words typed after it.
        s.child.send("ech\t")
        s.child.sendline("completed-ok")
        s.child.expect(output_line("completed-ok"))

    def test_tab_completes_korean_file_name(self):
        open(os.path.join(self.work, "데이터.jsonl"), "w").close()
        os.makedirs(os.path.join(self.work, "sub"))
        s = self.start()
        s.child.send("echo ./데\t")
        s.child.sendline("")
        s.child.expect(output_line("./데이터.jsonl"))
        s.prompt()
        # A directory completes with its slash and no space, so the path can go on.
        s.child.send("echo ./su\t")
        s.child.sendline("")
        s.child.expect(output_line("./sub/"))

    def test_history_recalled_after_restart(self):
        first = self.start()
        first.run("echo 첫-세션-marker", "첫-세션-marker")
        first.child.sendcontrol("d")
        first.child.expect(pexpect.EOF)
        second = self.start()
        second.child.send(UP)
        second.child.send("\r")
        second.child.expect(output_line("첫-세션-marker"))

    def test_ctrl_c_clears_the_line(self):
        s = self.start()
        s.child.send("echo abc")
        s.child.expect_exact("abc")
        s.child.send(CTRL_C)
        s.prompt()
        s.child.sendline("echo ok")
        s.child.expect(r"\r\n(ok|abc.*)\r\n")
        self.assertEqual(s.child.match.group(1), "ok")
        s.prompt()
        self.assertTrue(s.child.isalive())

    def test_ctrl_c_stops_a_running_command_and_the_shell_lives(self):
        s = self.start()
        s.child.sendline("sleep 30")
        s.child.expect_exact("sleep 30")
        s.child.send(CTRL_C)
        s.child.expect("interrupted")
        s.prompt()
        s.run("echo still-here", "still-here")

    def test_ctrl_c_stops_training_after_the_step_and_resume_finishes_it(self):
        s = self.start()
        data = os.path.join(REPO, "share", "data", "qa-en.jsonl")
        s.run(f"data load {data} as qa", "dataset qa: 60 chat examples from " + data)
        s.child.sendline("data split qa --valid 0.2")
        s.prompt()
        s.child.sendline("model new --layers 2 --heads 2 --dims 32 --context 320 --seed 3 as g")
        s.prompt()
        # Far more steps than the test waits for, so the run is still going when Ctrl-C comes.
        total = 2000
        s.child.sendline(f"train lora --model g --data qa_train --valid qa_valid --epochs {total} --max-steps {total} "
                         "--eval-every 20 --batch 4 --max-length 160 --seed 5 --out run1")
        s.child.expect(rf"step 40/{total}  train loss [0-9.]+  valid loss [0-9.]+ .*\(best\)", timeout=120)
        s.child.send(CTRL_C)
        s.child.expect(rf"lora run run1: interrupted after (\d+)/{total} steps")
        stopped = int(s.child.match.group(1))
        self.assertGreaterEqual(stopped, 40)
        self.assertLess(stopped, total)
        s.child.expect(r"best [0-9.]+ at step (\d+)")
        best = int(s.child.match.group(1))
        s.child.expect_exact("'train resume run1' continues")
        s.child.expect_exact(f"interrupted: training stopped after step {stopped} of {total}")
        s.prompt()
        # The run folder holds the best weights and a checkpoint at the step where it stopped.
        run = os.path.join(self.work, "run1")
        with open(os.path.join(run, "checkpoint", "state.json"), encoding="utf-8") as f:
            state = json.load(f)
        self.assertEqual((state["status"], state["step"], state["best_step"]), ("interrupted", stopped, best))
        self.assertTrue(os.path.isfile(os.path.join(run, "best", "adapter_model.safetensors")))
        self.assertEqual(os.path.isfile(os.path.join(run, "checkpoint", "best.safetensors")), best != stopped)
        with open(os.path.join(run, "metrics.csv"), encoding="utf-8") as f:
            self.assertEqual(f.read().splitlines()[-1].split(",")[0], str(stopped))
        s.child.sendline("train resume run1")
        s.child.expect_exact(f"resuming run1 (lora) at step {stopped}/{total}")
        s.child.expect_exact(f"lora run run1: completed after {total}/{total} steps", timeout=300)
        s.prompt()
        with open(os.path.join(run, "checkpoint", "state.json"), encoding="utf-8") as f:
            state = json.load(f)
        self.assertEqual((state["status"], state["step"]), ("completed", total))
        s.run("echo still-here", "still-here")

    def test_leaving_the_shell_stops_its_server_and_the_job_carries_on_next_time(self):
        data = os.path.join(REPO, "share", "data", "qa-en.jsonl")
        serve_dir = os.path.join(self.root, "serve")
        s = self.start()
        s.serve(serve_dir)
        s.child.sendline(f"set j = job create --model tiny --training-file {data} --epochs 40")
        s.prompt()
        s.child.sendline("job watch $j.id --interval 0.2")
        s.child.expect(r"step \d+/\d+", timeout=120)
        # Ctrl-C leaves the watch, not the server: the job keeps training.
        s.child.send(CTRL_C)
        s.child.expect_exact("detached from")
        s.prompt()
        s.run("serve status", "running      true")
        # Leaving stops the server at once; its job saves its state for the next start.
        started = time.time()
        s.child.sendcontrol("d")
        s.child.expect(pexpect.EOF, timeout=60)
        self.assertLess(time.time() - started, 20)
        (job_id,) = os.listdir(os.path.join(serve_dir, "jobs"))
        with open(os.path.join(serve_dir, "jobs", job_id, "job.json"), encoding="utf-8") as f:
            self.assertEqual(json.load(f)["status"], "running")
        again = self.start()
        again.serve(serve_dir)
        again.child.sendline(f"job events {job_id} --limit 100")
        again.child.expect(r"The server restarted; the job continues from step \d+ of \d+")
        again.prompt()

    def test_a_recorded_session_passes_its_own_check(self):
        # In colour, with errors shown under their source line: the transcript keeps what a
        # script run prints, so checking it straight away passes.
        s = self.start(color=True)
        s.child.sendline("record start r.ftsh")
        s.prompt()
        s.child.sendline("ech hi")
        s.child.expect_exact("did you mean")
        s.prompt()
        s.child.sendline("data show nothere")
        s.child.expect_exact("nothere")
        s.prompt()
        s.run("echo 녹음-끝", "녹음-끝")
        s.child.sendline("record stop")
        s.prompt()
        with open(os.path.join(self.work, "r.ftsh"), encoding="utf-8") as f:
            recorded = f.read()
        self.assertNotIn("\x1b", recorded)
        self.assertIn("#!> did you mean 'echo'?", recorded)
        r = subprocess.run([ftsh_binary(), "--check", "r.ftsh"], cwd=self.work, capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)

    def test_continuation_prompt(self):
        s = self.start()
        s.child.sendline('echo "one')
        s.child.expect_exact("..> ")
        s.child.sendline('two"')
        s.child.expect(r"\r\none\r\ntwo\r\n")
        s.prompt()

    def test_error_has_a_caret_under_the_word(self):
        s = self.start()
        s.child.sendline("seed --bogus")
        s.child.expect_exact("unknown flag --bogus")
        s.child.expect_exact("seed --bogus")
        s.child.expect(r"\r\n       \^~~~~~~")
        s.prompt()

    def test_ctrl_d_exits_with_status_zero(self):
        s = self.start()
        s.child.sendcontrol("d")
        s.child.expect(pexpect.EOF)
        s.child.close()
        self.assertEqual(s.child.exitstatus, 0)
        self.assertIsNone(s.child.signalstatus)


if __name__ == "__main__":
    unittest.main()

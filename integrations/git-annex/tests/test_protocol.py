"""`fichier annex-remote` spoken to line by line, for what git-annex itself rarely sends:
unknown requests, malformed requests, ERROR, EOF, the ASYNC framing with interleaved jobs,
missing configuration and credentials, and a stdout that carries protocol lines only.

FICHIER_BIN names the binary (default: .build/debug/fichier of this checkout).
Run: python3 -m unittest discover -s integrations/git-annex/tests -p 'test_*.py'
"""

import os
import queue
import subprocess
import tempfile
import threading
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
BINARY = os.environ.get("FICHIER_BIN") or os.path.join(ROOT, ".build", "debug", "fichier")


class Remote:
    """A running `fichier annex-remote` with a line-by-line conversation."""

    def __init__(self, *args, env=None):
        environment = dict(os.environ)
        environment.pop("FICHIER_API_KEY", None)
        environment.pop("FICHIER_API_KEY_FILE", None)
        environment.update(env or {})
        self.process = subprocess.Popen([BINARY, "annex-remote", *args], stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=environment)
        self.lines = queue.Queue()
        self.stderr = b""
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.stderr_reader = threading.Thread(target=self._read_stderr, daemon=True)
        self.reader.start()
        self.stderr_reader.start()

    def _read(self):
        for line in self.process.stdout:
            self.lines.put(line.decode("utf-8").rstrip("\n"))
        self.lines.put(None)

    def _read_stderr(self):
        self.stderr = self.process.stderr.read()

    def send(self, line):
        self.process.stdin.write((line + "\n").encode("utf-8"))
        self.process.stdin.flush()

    def expect(self, timeout=20):
        line = self.lines.get(timeout=timeout)
        if line is None:
            raise AssertionError("the remote closed its output")
        return line

    def ask(self, line, timeout=20):
        self.send(line)
        return self.expect(timeout)

    def answer_config(self, values, timeout=20):
        """Answers GETCONFIG / DIRHASH-LOWER queries until a line that is neither."""
        while True:
            line = self.expect(timeout)
            words = line.split(" ")
            prefix = words[:2] if words[0] == "J" else []
            body = words[2:] if prefix else words
            if body[0] == "GETCONFIG":
                self.send(" ".join(prefix + ["VALUE", values.get(body[1], "")]))
            elif body[0] == "DIRHASH-LOWER":
                self.send(" ".join(prefix + ["VALUE", "abc/def/"]))
            elif body[0] == "SETCONFIG":
                continue
            else:
                return line

    def close(self):
        try:
            self.process.stdin.close()
        except OSError:
            pass
        status = self.process.wait(timeout=20)
        self.reader.join(timeout=20)
        self.stderr_reader.join(timeout=20)
        self.process.stdout.close()
        self.process.stderr.close()
        return status


class ProtocolTests(unittest.TestCase):
    def setUp(self):
        if not os.access(BINARY, os.X_OK):
            self.fail(f"no fichier binary at {BINARY}")
        self.scratch = tempfile.TemporaryDirectory(prefix="fichier-annex-")
        self.addCleanup(self.scratch.cleanup)
        self.sandbox = os.path.join(self.scratch.name, "sandbox")

    def sandboxed(self, **env):
        remote = Remote("--sandbox", self.sandbox, env=env)
        self.addCleanup(remote.close)
        self.assertEqual(remote.expect(), "VERSION 2")
        return remote

    def test_version_extensions_unknown_requests_and_eof(self):
        remote = self.sandboxed()
        self.assertEqual(remote.ask("EXTENSIONS INFO GETGITREMOTENAME ASYNC UNAVAILABLERESPONSE"),
                         "EXTENSIONS INFO ASYNC")
        # From here on git-annex would speak in J n framing; an unnumbered line still works.
        self.assertEqual(remote.ask("J 1 GETCOST"), "J 1 COST 200")
        self.assertEqual(remote.ask("J 1 GETAVAILABILITY"), "J 1 AVAILABILITY GLOBAL")
        self.assertEqual(remote.ask("J 2 SOMETHING-NEW with params"), "J 2 UNSUPPORTED-REQUEST")
        self.assertEqual(remote.ask("J 2 CLAIMURL https://example.com/x"), "J 2 UNSUPPORTED-REQUEST")
        self.assertEqual(remote.ask("J 1 EXPORTSUPPORTED"), "J 1 EXPORTSUPPORTED-SUCCESS")
        remote.send("J 1 LISTCONFIGS")
        configs = [remote.expect() for _ in range(4)]
        self.assertEqual(configs[-1], "J 1 CONFIGEND")
        self.assertEqual({line.split(" ")[3] for line in configs[:-1]}, {"folder", "apiurl", "layout"})
        self.assertEqual(remote.close(), 0)

    def test_without_async_and_without_info(self):
        remote = self.sandboxed(FICHIER_ANNEX_ASYNC="0")
        self.assertEqual(remote.ask("EXTENSIONS ASYNC"), "EXTENSIONS")
        self.assertEqual(remote.ask("GETCOST"), "COST 200")

    def test_store_checkpresent_retrieve_remove_in_interleaved_jobs(self):
        remote = self.sandboxed()
        remote.ask("EXTENSIONS ASYNC")
        remote.send("J 1 INITREMOTE")
        self.assertEqual(remote.answer_config({"folder": "/proto", "name": "proto"}), "J 1 INITREMOTE-SUCCESS")
        remote.send("J 1 PREPARE")
        self.assertEqual(remote.answer_config({"folder": "/proto", "layout": "hash"}), "J 1 PREPARE-SUCCESS")
        source = os.path.join(self.scratch.name, "content")
        with open(source, "wb") as handle:
            handle.write(os.urandom(100000))
        key = "SHA256E-s100000--0123abcd.bin"
        # Two jobs at once: a store on job 3 and a checkpresent of another key on job 4.
        remote.send(f"J 3 TRANSFER STORE {key} {source}")
        remote.send("J 4 CHECKPRESENT SHA256E-s5--feed.txt")
        replies = []
        progress = []
        while len(replies) < 2:
            line = remote.expect()
            words = line.split(" ")
            if words[2] == "DIRHASH-LOWER":
                remote.send(f"J {words[1]} VALUE abc/def/")
            elif words[2] == "PROGRESS":
                progress.append((words[1], int(words[3])))
            else:
                replies.append(line)
        self.assertIn(f"J 3 TRANSFER-SUCCESS STORE {key}", replies)
        self.assertTrue(progress and all(job == "3" for job, _ in progress), progress)
        self.assertEqual(progress[-1][1], 100000)
        self.assertEqual([done for _, done in progress], sorted(done for _, done in progress))
        self.assertIn("J 4 CHECKPRESENT-FAILURE SHA256E-s5--feed.txt", replies)
        remote.send(f"J 5 CHECKPRESENT {key}")
        self.assertEqual(remote.answer_config({}), f"J 5 CHECKPRESENT-SUCCESS {key}")
        target = os.path.join(self.scratch.name, "back with space")
        remote.send(f"J 6 TRANSFER RETRIEVE {key} {target}")
        while True:
            line = remote.answer_config({})
            if " PROGRESS " not in line:
                break
        self.assertEqual(line, f"J 6 TRANSFER-SUCCESS RETRIEVE {key}")
        with open(source, "rb") as one, open(target, "rb") as two:
            self.assertEqual(one.read(), two.read())
        remote.send(f"J 7 WHEREIS {key}")
        self.assertRegex(remote.answer_config({}), r"^J 7 WHEREIS-SUCCESS https://1fichier\.com/\?\w+$")
        remote.send(f"J 8 REMOVE {key}")
        self.assertEqual(remote.answer_config({}), f"J 8 REMOVE-SUCCESS {key}")
        remote.send(f"J 9 REMOVE {key}")
        self.assertEqual(remote.answer_config({}), f"J 9 REMOVE-SUCCESS {key}")
        remote.send(f"J 9 CHECKPRESENT {key}")
        self.assertEqual(remote.answer_config({}), f"J 9 CHECKPRESENT-FAILURE {key}")
        # The size in a key must match: a different size under the same name is not the content.
        remote.send(f"J 10 TRANSFER STORE {key} {source}")
        while True:
            line = remote.answer_config({})
            if " PROGRESS " not in line:
                break
        other = "SHA256E-s99999--0123abcd.bin"
        remote.send(f"J 11 CHECKPRESENT {other}")
        self.assertEqual(remote.answer_config({}), f"J 11 CHECKPRESENT-FAILURE {other}")

    def test_export_requests_need_a_name(self):
        remote = self.sandboxed(FICHIER_ANNEX_ASYNC="0")
        remote.send("PREPARE")
        self.assertEqual(remote.answer_config({"folder": "/exp"}), "PREPARE-SUCCESS")
        remote.send("CHECKPRESENTEXPORT SHA256E-s1--aa")
        self.assertTrue(remote.answer_config({}).startswith("CHECKPRESENT-UNKNOWN SHA256E-s1--aa "))
        remote.send("EXPORT ../escape.txt")
        remote.send("CHECKPRESENTEXPORT SHA256E-s1--aa")
        self.assertTrue(remote.answer_config({}).startswith("CHECKPRESENT-UNKNOWN SHA256E-s1--aa cannot export"))
        remote.send("REMOVEEXPORTDIRECTORY never/made")
        self.assertEqual(remote.answer_config({}), "REMOVEEXPORTDIRECTORY-SUCCESS")

    def test_missing_configuration_and_key(self):
        remote = Remote()  # no sandbox, no key in the environment
        self.addCleanup(remote.close)
        self.assertEqual(remote.expect(), "VERSION 2")
        remote.send("PREPARE")
        line = remote.answer_config({"folder": "/x", "apiurl": "http://127.0.0.1:9/v1"})
        self.assertTrue(line.startswith("PREPARE-FAILURE no 1fichier API key"), line)
        remote.send("PREPARE")
        line = remote.answer_config({"folder": "relative/path"})
        self.assertTrue(line.startswith("PREPARE-FAILURE folder=relative/path is not an absolute"), line)
        remote.send("TRANSFER STORE SHA256E-s1--aa /nonexistent")
        line = remote.answer_config({"folder": "/x"})
        self.assertTrue(line.startswith("TRANSFER-FAILURE STORE SHA256E-s1--aa no 1fichier API key"), line)

    def key_file(self, mode=0o600):
        path = os.path.join(self.scratch.name, f"key-{mode:o}")
        with open(path, "w") as handle:
            handle.write("not-a-real-key\n")
        os.chmod(path, mode)
        return path

    def test_a_key_file_readable_by_others_is_refused_with_a_clear_message(self):
        remote = Remote(env={"FICHIER_API_KEY_FILE": self.key_file(0o644), "FICHIER_PACE_MS": "0"})
        self.addCleanup(remote.close)
        self.assertEqual(remote.expect(), "VERSION 2")
        remote.send("PREPARE")
        line = remote.answer_config({"folder": "/x", "apiurl": "http://127.0.0.1:9/v1"})
        self.assertTrue(line.startswith("PREPARE-FAILURE "), line)
        self.assertIn("key-644 (FICHIER_API_KEY_FILE) is accessible by group or others", line)
        self.assertIn("chmod 600", line)
        self.assertNotIn("not-a-real-key", line)

    def test_unreachable_service_is_unknown_not_absent(self):
        remote = Remote(env={"FICHIER_API_KEY_FILE": self.key_file(), "FICHIER_PACE_MS": "0"})
        self.addCleanup(remote.close)
        self.assertEqual(remote.expect(), "VERSION 2")
        remote.send("PREPARE")
        self.assertEqual(remote.answer_config({"folder": "/x", "apiurl": "http://127.0.0.1:9/v1"}), "PREPARE-SUCCESS")
        remote.send("CHECKPRESENT SHA256E-s1--aa")
        # (the client retries network failures a few times before giving up)
        line = remote.answer_config({}, timeout=90)
        self.assertTrue(line.startswith("CHECKPRESENT-UNKNOWN SHA256E-s1--aa "), line)
        remote.send("REMOVE SHA256E-s1--aa")
        self.assertTrue(remote.answer_config({}, timeout=90).startswith("REMOVE-FAILURE SHA256E-s1--aa "))

    def test_malformed_request_and_error_end_the_process(self):
        remote = self.sandboxed(FICHIER_ANNEX_ASYNC="0")
        self.assertTrue(remote.ask("TRANSFER SIDEWAYS key").startswith("ERROR malformed request"))
        self.assertIsNone(remote.lines.get(timeout=20))
        self.assertEqual(remote.close(), 1)
        again = self.sandboxed(FICHIER_ANNEX_ASYNC="0")
        again.send("ERROR git-annex is unhappy")
        self.assertTrue(again.expect().startswith("ERROR"))
        self.assertEqual(again.close(), 1)
        self.assertIn(b"git-annex is unhappy", again.stderr)


if __name__ == "__main__":
    unittest.main()

"""fichier_client.py against the real `fichier serve --sandbox` (the built-in emulator).

FICHIER_BIN names the binary (default: .build/debug/fichier of this checkout).
Run: python3 -m unittest discover -s integrations/python/tests -v
"""

import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
from fichier_client import FichierClient, FichierError  # noqa: E402

ROOT = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
BINARY = os.environ.get("FICHIER_BIN") or os.path.join(ROOT, ".build", "debug", "fichier")


def random_file(path, size):
    with open(path, "wb") as handle:
        remaining = size
        while remaining:
            chunk = os.urandom(min(remaining, 1 << 20))
            handle.write(chunk)
            remaining -= len(chunk)


def read(path):
    with open(path, "rb") as handle:
        return handle.read()


class SandboxTestCase(unittest.TestCase):
    """Each test gets a fresh sandbox directory and a client on it."""

    extra_args = ()

    def setUp(self):
        if not os.access(BINARY, os.X_OK):
            self.fail(f"no fichier binary at {BINARY}")
        self.scratch = tempfile.TemporaryDirectory(prefix="fichier-py-")
        self.addCleanup(self.scratch.cleanup)
        self.sandbox = os.path.join(self.scratch.name, "sandbox")
        self.client = self.open_client()
        self.addCleanup(self.client.close)

    def open_client(self, **options):
        options.setdefault("sandbox", self.sandbox)
        return FichierClient(binary=BINARY, args=self.extra_args, stderr=subprocess.DEVNULL, **options)

    def path(self, name):
        return os.path.join(self.scratch.name, name)


class SessionTests(SandboxTestCase):
    def test_initialize_reports_the_protocol(self):
        info = self.client.server_info
        self.assertEqual(info["protocolVersion"], 1)
        self.assertIn("transfer/upload", info["capabilities"]["methods"])
        self.assertEqual(self.client.ping(), {})

    def test_context_manager_stops_the_server_cleanly(self):
        # (its own sandbox: a sandbox directory serves one process at a time)
        with self.open_client(sandbox=self.path("other-sandbox")) as other:
            self.assertEqual(other.ping(), {})
            process = other._process
        self.assertEqual(process.returncode, 0)
        self.assertFalse(other.alive)

    def test_errors_carry_code_and_kind(self):
        with self.assertRaises(FichierError) as caught:
            self.client.stat("/no/such/file.txt")
        self.assertEqual(caught.exception.code, 1300)
        self.assertEqual(caught.exception.kind, "not_found")
        self.assertFalse(caught.exception.retryable)
        with self.assertRaises(FichierError) as caught:
            self.client.call("fs/mkdir", {"parents": True})
        self.assertEqual(caught.exception.code, -32602)
        with self.assertRaises(FichierError) as caught:
            self.client.call("no/such/method")
        self.assertEqual(caught.exception.code, -32601)
        self.assertEqual(self.client.ping(), {})  # still alive


class FileTests(SandboxTestCase):
    def test_upload_with_progress_then_download_byte_for_byte(self):
        source = self.path("source.bin")
        size = 3 * 1024 * 1024 + 17
        random_file(source, size)
        events = []
        result = self.client.upload(source, "/py/data/", verify=True, progress=events.append)
        self.assertEqual(result["size"], size)
        self.assertEqual(result["path"], "/py/data/source.bin")
        self.assertTrue(result["url"].startswith("https://1fichier.com/?"))
        self.assertTrue(result["verified"])
        uploading = [e["bytesDone"] for e in events if e["phase"] == "uploading"]
        self.assertTrue(uploading, "no progress events")
        self.assertEqual(uploading, sorted(uploading))
        self.assertEqual(uploading[-1], size)
        self.assertTrue(all(e["requestId"] is not None for e in events))

        target = self.path("back.bin")
        downloaded = self.client.download("/py/data/source.bin", target, verify=True)
        self.assertEqual(downloaded["size"], size)
        self.assertEqual(read(target), read(source))
        by_url = self.path("by-url.bin")
        self.client.download(result["url"], by_url)
        self.assertEqual(read(by_url), read(source))

        entry = self.client.stat("/py/data/source.bin")
        self.assertEqual(entry["size"], size)
        listing = self.client.list("/py/data")
        self.assertEqual([f["name"] for f in listing["files"]], ["source.bin"])

    def test_bytes_upload_folders_rename_move_delete(self):
        self.client.mkdir("/py/a/b", parents=True)
        uploaded = self.client.upload_bytes(b"hello \xe2\x9c\x93\n", "/py/a/hello.txt")
        self.assertEqual(uploaded["size"], 10)
        self.client.rename("/py/a/hello.txt", "renamed.txt")
        self.client.move("/py/a/renamed.txt", "/py/a/b")
        listing = self.client.list("/py/a/b")
        self.assertEqual([f["name"] for f in listing["files"]], ["renamed.txt"])
        self.assertEqual(self.client.list("/py/a")["files"], [])
        link = self.client.link("/py/a/b/renamed.txt")
        self.assertEqual(link["fileURL"], uploaded["url"])
        removed = self.client.delete("/py/a/b/renamed.txt")
        self.assertEqual(removed["removed"], 1)
        with self.assertRaises(FichierError) as caught:
            self.client.stat("/py/a/b/renamed.txt")
        self.assertEqual(caught.exception.kind, "not_found")
        self.client.rmdir("/py/a", recursive=True)
        self.assertEqual([f["name"] for f in self.client.list("/py")["folders"]], [])

    def test_many_requests_in_flight_each_answered_once(self):
        futures = [self.client.call_async("transfer/upload", {
            "data": "eA==", "remote": f"/py/many/file-{index:02d}.txt"}) for index in range(24)]
        futures += [self.client.call_async("ping") for _ in range(40)]
        results = [future.result(timeout=60) for future in futures]
        urls = {result["url"] for result in results[:24]}
        self.assertEqual(len(urls), 24)
        self.assertEqual(results[24:], [{}] * 40)
        names = sorted(f["name"] for f in self.client.list("/py/many")["files"])
        self.assertEqual(names, [f"file-{index:02d}.txt" for index in range(24)])

    def test_a_second_server_on_the_same_sandbox_is_refused(self):
        with self.assertRaises(FichierError) as caught:
            self.open_client()
        self.assertEqual(caught.exception.kind, "server_exited")
        self.assertEqual(caught.exception.data.get("status"), 2)
        self.assertEqual(self.client.ping(), {})

    def test_download_resumes_from_the_partial_file(self):
        source = self.path("resumable.bin")
        random_file(source, 300_000)
        self.client.upload(source, "/py/resume/")
        target = self.path("resumed.bin")
        with open(target + ".partial", "wb") as handle:
            handle.write(read(source)[:120_000])
        result = self.client.download("/py/resume/resumable.bin", target, resume=True, verify=True)
        self.assertEqual((result["resumedFrom"], result["verified"]), (120_000, True))
        self.assertEqual(read(target), read(source))
        self.assertFalse(os.path.exists(target + ".partial"))

    def test_data_survives_in_the_sandbox_directory(self):
        self.client.upload_bytes(b"kept\n", "/kept.txt")
        self.assertEqual(self.client.close(), 0)
        with self.open_client() as again:
            self.assertEqual(again.stat("/kept.txt")["size"], 5)


class EncryptionTests(SandboxTestCase):
    """encrypt / encryptNames / decrypt pass through to the server, with a vault made by the
    CLI and unlocked by its key file (FICHIER_VAULT, FICHIER_KEYFILE in the child's env)."""

    passphrase = "python test passphrase"

    def setUp(self):
        self.scratch = tempfile.TemporaryDirectory(prefix="fichier-py-")
        self.addCleanup(self.scratch.cleanup)
        self.vault = self.path("vault")
        self.key_file = self.path("vault.key")
        passphrase_file = self.path("passphrase")
        with open(os.open(passphrase_file, os.O_WRONLY | os.O_CREAT, 0o600), "w") as handle:
            handle.write(self.passphrase + "\n")
        self.fichier("vault", "init", "--passphrase-file", passphrase_file, "--kdf", "small")
        self.fichier("vault", "add-keyfile", "--passphrase-file", passphrase_file, self.key_file)
        self.env = dict(os.environ, FICHIER_VAULT=self.vault, FICHIER_KEYFILE=self.key_file)
        super().setUp()

    def fichier(self, *args):
        environment = dict(os.environ, FICHIER_VAULT=self.vault)
        subprocess.run([BINARY, *args], env=environment, check=True, stdin=subprocess.DEVNULL,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def open_client(self, **options):
        options.setdefault("env", self.env)
        return super().open_client(**options)

    def test_encrypt_and_decrypt(self):
        source = self.path("secret.bin")
        random_file(source, 200_000)
        result = self.client.upload(source, "/py/secret/", encrypt=True)
        self.assertTrue(result["encrypted"])
        self.assertEqual((result["name"], result["remoteName"]), ("secret.bin", "secret.bin.age"))
        self.assertEqual(result["plaintextSize"], 200_000)
        self.assertGreater(result["size"], 200_000)

        stored = self.path("stored.age")
        self.client.download("/py/secret/secret.bin", stored, decrypt="never")
        self.assertTrue(read(stored).startswith(b"age-encryption.org/v1\n"))
        identity = self.path("identity.txt")
        self.fichier("vault", "export-identity", "--key-file", self.key_file, "-o", identity)
        plain = subprocess.run(["age", "-d", "-i", identity, stored], check=True, capture_output=True).stdout
        self.assertEqual(plain, read(source))

        back = self.path("back.bin")
        downloaded = self.client.download("/py/secret/secret.bin", back, decrypt="auto")
        self.assertTrue(downloaded["decrypted"])
        self.assertEqual(read(back), read(source))

    def test_a_decrypted_download_resumes_from_its_kept_plaintext(self):
        source = self.path("journal.bin")
        random_file(source, 300_000)
        self.client.upload(source, "/py/journal/", encrypt=True)
        target = self.path("journal.out")
        with open(os.open(target + ".partial", os.O_WRONLY | os.O_CREAT, 0o600), "wb") as handle:
            handle.write(read(source)[:150_000])
        result = self.client.download("/py/journal/journal.bin", target, resume=True, verify=True)
        self.assertEqual((result["resumedFrom"], result["verified"], result["decrypted"]), (2 * 65536, True, True))
        self.assertEqual(read(target), read(source))

    def test_encrypt_names(self):
        result = self.client.upload_bytes(b"hidden name\n", "/py/names/diary.txt", encrypt=True, encrypt_names=True)
        self.assertRegex(result["remoteName"], r"^[a-z2-7]{52,}$")
        self.assertEqual(result["name"], "diary.txt")
        listed = self.client.list("/py/names")["files"]
        self.assertEqual([(f["name"], f["remoteName"], f["encrypted"]) for f in listed],
                         [("diary.txt", result["remoteName"], True)])

    def test_encrypt_false_overrides_the_profile_default(self):
        self.fichier("vault", "profiles", "set", "default", "--encrypt-uploads", "on", "--key-file", self.key_file)
        with self.open_client(sandbox=self.path("sandbox-default")) as client:
            by_default = client.upload_bytes(b"x\n", "/py/default.txt")
            self.assertEqual(by_default["remoteName"], "default.txt.age")
            plain = client.upload_bytes(b"x\n", "/py/plain.txt", encrypt=False)
            self.assertNotIn("remoteName", plain)
            self.assertEqual(plain["name"], "plain.txt")
            self.assertFalse(plain.get("encrypted", False))


class CancelTests(SandboxTestCase):
    extra_args = ("--debug-methods",)

    def test_cancel_a_transfer_while_it_reports_progress(self):
        started = threading.Event()
        events = []

        def progress(params):
            events.append(params)
            if params["bytesDone"] > 0:
                started.set()

        future = self.client.call_async("debug/transfer", {"bytes": 1000000, "chunks": 100, "intervalMs": 50},
                                        progress=progress)
        self.assertTrue(started.wait(10), "no progress before the cancel")
        self.client.cancel(future)
        with self.assertRaises(FichierError) as caught:
            future.result(timeout=10)
        self.assertEqual(caught.exception.code, -32800)
        self.assertEqual(caught.exception.kind, "cancelled")
        self.assertLess(events[-1]["bytesDone"], 1000000)
        self.assertEqual(self.client.ping(), {})

    def test_timeout_cancels_the_request(self):
        begun = time.monotonic()
        with self.assertRaises(TimeoutError):
            self.client.call("debug/sleep", {"ms": 20000}, timeout=0.5)
        self.assertLess(time.monotonic() - begun, 5)
        self.assertEqual(self.client.ping(), {})

    def test_a_dead_server_fails_pending_requests(self):
        future = self.client.call_async("debug/sleep", {"ms": 30000})
        time.sleep(0.2)
        os.kill(self.client.pid, signal.SIGKILL)
        with self.assertRaises(FichierError) as caught:
            future.result(timeout=10)
        self.assertEqual(caught.exception.kind, "server_exited")
        with self.assertRaises(FichierError):
            self.client.ping()

    def test_close_without_drain_cancels_running_work(self):
        future = self.client.call_async("debug/sleep", {"ms": 30000})
        time.sleep(0.2)
        self.assertEqual(self.client.close(drain=False), 0)
        with self.assertRaises(FichierError) as caught:
            future.result(timeout=1)
        self.assertEqual(caught.exception.code, -32800)


if __name__ == "__main__":
    unittest.main()

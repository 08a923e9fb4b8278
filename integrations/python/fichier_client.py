"""A small client for `fichier serve`, the 1fichier co-process (protocol/PROTOCOL.md).

No dependencies beyond the standard library. One `fichier serve` child per client; requests
are written as JSON lines with unique ids and may overlap; a reader thread matches each answer
to its request's future and hands `event/progress` notifications to that request's callback.

    from fichier_client import FichierClient, FichierError

    with FichierClient(sandbox="/tmp/sb") as fichier:           # or: api_key_file=..., env=...
        fichier.mkdir("/backups", parents=True)
        result = fichier.upload("notes.txt", "/backups/", progress=print)
        print(result["url"])
        future = fichier.call_async("transfer/download", {"remote": "/backups/notes.txt", "local": "/tmp/n.txt"})
        fichier.cancel(future)                                  # the future then raises FichierError(-32800)

Errors of the server arrive as `FichierError` (with `code`, `kind`, `retryable`, `data`); a
server that exits fails every pending request with `FichierError` kind `server_exited`.

Client-side encryption (age, with the keys of fichier's vault, unlocked for instance with
`env={**os.environ, "FICHIER_KEYFILE": path}`): `upload(..., encrypt=True, encrypt_names=True)`
and `download(..., decrypt="auto" | "always" | "never")`; None leaves the server's default (the
vault profile's for uploads, "auto" for downloads).
"""

import base64
import itertools
import json
import os
import shutil
import subprocess
import threading
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout

__all__ = ["FichierClient", "FichierError", "RequestFuture"]

CANCELLED = -32800


class FichierError(Exception):
    """An error answer of the server (or the loss of the server)."""

    def __init__(self, code, message, data=None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.data = data or {}

    @property
    def kind(self):
        """The stable snake_case kind (`not_found`, `rate_limited`, `cancelled` …)."""
        return self.data.get("kind", "")

    @property
    def retryable(self):
        return bool(self.data.get("retryable", False))

    @property
    def retry_after_ms(self):
        return self.data.get("retryAfterMs")

    def __repr__(self):
        return f"FichierError({self.code}, {self.message!r}, kind={self.kind!r})"

    @classmethod
    def from_error_object(cls, error):
        if not isinstance(error, dict):
            return cls(-32603, f"malformed error answer: {error!r}", {"kind": "internal_error"})
        return cls(error.get("code", -32603), error.get("message", "unknown error"), error.get("data") or {})


class RequestFuture(Future):
    """A `concurrent.futures.Future` for one request; `request_id` is its JSON-RPC id."""

    def __init__(self, request_id, method):
        super().__init__()
        self.request_id = request_id
        self.method = method


class FichierClient:
    """Runs `fichier serve` and talks to it.

    Parameters:
      binary        the fichier program (default: $FICHIER_BIN, else `fichier` on PATH)
      sandbox       True for `--sandbox` (a temporary emulator), or a directory to keep its data
      api_url       `--api-url` (e.g. a local `fichier emulator`)
      api_key_file  `--api-key-file`; otherwise FICHIER_API_KEY_FILE or FICHIER_API_KEY in `env`,
                    else the vault's
      args          more arguments for `fichier serve` (e.g. ["--max-transfers", "2"])
      env           the child's environment (default: this process's)
      stderr        where the child's log lines go (default: inherited; subprocess.DEVNULL to hide)
      on_event      called on the reader thread with (method, params) for every `event/*`
      initialize    send `initialize` first and keep its result in `server_info`
    """

    def __init__(self, binary=None, sandbox=None, api_url=None, api_key_file=None, args=(), env=None,
                 stderr=None, cwd=None, on_event=None, initialize=True, client_name="fichier_client.py"):
        binary = binary or os.environ.get("FICHIER_BIN") or shutil.which("fichier") or "fichier"
        command = [binary, "serve"]
        if sandbox is True:
            command.append("--sandbox")
        elif sandbox:
            command.append(f"--sandbox={os.fspath(sandbox)}")
        if api_url:
            command += ["--api-url", api_url]
        if api_key_file:
            command += ["--api-key-file", os.fspath(api_key_file)]
        command += list(args)
        self._process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=stderr,
                                         env=env, cwd=cwd, bufsize=0)
        self._ids = itertools.count(1)
        self._write_lock = threading.Lock()
        self._lock = threading.Lock()
        self._pending = {}
        self._progress = {}
        self._on_event = on_event
        self._closed = False
        self._exit_error = None
        self._reader = threading.Thread(target=self._read_loop, name="fichier-reader", daemon=True)
        self._reader.start()
        self.server_info = None
        if initialize:
            try:
                self.server_info = self.call("initialize", {
                    "protocolVersions": [1],
                    # The server ends by itself if this process dies without closing the pipe.
                    "processId": os.getpid(),
                    "client": {"name": client_name, "version": "1"},
                    "capabilities": {"events": {"progress": True}},
                })
            except BaseException:
                # A server that refused to start (exit 2: bad key file, sandbox in use …)
                # leaves no open pipes behind.
                self.close(timeout=5, drain=False)
                raise

    # -- lifecycle -------------------------------------------------------------------------

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False

    @property
    def pid(self):
        return self._process.pid

    @property
    def alive(self):
        return self._process.poll() is None

    def close(self, timeout=30, drain=True):
        """Stops the server: with `drain` running work finishes first (`shutdown`), otherwise
        it is cancelled (each pending future gets -32800). Returns the exit status."""
        if not self._closed and self.alive:
            try:
                if drain:
                    self.call("shutdown", {"mode": "drain"}, timeout=timeout)
            except (FichierError, TimeoutError, OSError):
                pass
            self._closed = True
            try:
                self._process.stdin.close()
            except OSError:
                pass
        self._closed = True
        try:
            status = self._process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self._process.kill()
            status = self._process.wait()
        self._reader.join(timeout=timeout)
        for stream in (self._process.stdin, self._process.stdout):
            try:
                stream.close()
            except OSError:
                pass
        return status

    # -- requests --------------------------------------------------------------------------

    def call_async(self, method, params=None, progress=None):
        """Sends a request and returns its `RequestFuture` at once. `progress(params)` is
        called on the reader thread for each of its `event/progress` notifications."""
        request_id = next(self._ids)
        future = RequestFuture(request_id, method)
        message = {"jsonrpc": "2.0", "id": request_id, "method": method}
        if params is not None:
            message["params"] = params
        line = (json.dumps(message, separators=(",", ":"), ensure_ascii=False) + "\n").encode("utf-8")
        with self._lock:
            if self._exit_error is not None:
                future.set_exception(self._exit_error)
                return future
            self._pending[request_id] = future
            if progress is not None:
                self._progress[request_id] = progress
        try:
            self._write(line)
        except OSError as error:
            self._forget(request_id)
            future.set_exception(FichierError(-32603, f"cannot write to fichier serve: {error}",
                                              {"kind": "server_exited", "retryable": False}))
        return future

    def call(self, method, params=None, progress=None, timeout=None):
        """Sends a request and waits for its result; raises `FichierError` for an error answer
        and `TimeoutError` when `timeout` (seconds) passes (the request is then cancelled)."""
        future = self.call_async(method, params, progress)
        try:
            return future.result(timeout=timeout)
        except FutureTimeout:
            self.cancel(future)
            raise TimeoutError(f"{method}: no answer within {timeout} s (cancelled)") from None

    def cancel(self, request):
        """Asks the server to stop a request (a `RequestFuture` or an id). Its future then
        fails with FichierError -32800, or keeps its result if it had already finished."""
        request_id = request.request_id if isinstance(request, RequestFuture) else request
        message = {"jsonrpc": "2.0", "method": "$/cancel", "params": {"id": request_id}}
        try:
            self._write((json.dumps(message, separators=(",", ":")) + "\n").encode("utf-8"))
        except OSError:
            pass

    # -- the 1fichier methods --------------------------------------------------------------

    def ping(self):
        return self.call("ping")

    def account(self):
        return self.call("account/info")

    def list(self, path="/", page_size=1000):
        """Every entry of a folder: `{"folder", "folders", "files", "complete"}` (all pages)."""
        page = self.call("fs/list", {"path": path, "pageSize": page_size})
        folders, files = list(page.get("folders", [])), list(page.get("files", []))
        while page.get("nextCursor"):
            page = self.call("fs/list", {"cursor": page["nextCursor"], "pageSize": page_size})
            folders += page.get("folders", [])
            files += page.get("files", [])
        return {"folder": page.get("folder"), "folders": folders, "files": files,
                "complete": page.get("complete", True)}

    def stat(self, path=None, url=None):
        return self.call("fs/stat", {"url": url} if url else {"path": path})

    def mkdir(self, path, parents=False):
        return self.call("fs/mkdir", {"path": path, "parents": parents})

    def rmdir(self, path, recursive=False):
        return self.call("fs/rmdir", {"path": path, "recursive": recursive})

    def delete(self, path=None, url=None, urls=None, missing_ok=True):
        params = {"missingOk": missing_ok}
        if urls:
            params["urls"] = list(urls)
        elif url:
            params["url"] = url
        else:
            params["path"] = path
        return self.call("fs/delete", params)

    def rename(self, path, name):
        return self.call("fs/rename", {"path": path, "name": name})

    def move(self, path, to, rename=None):
        params = {"path": path, "to": to}
        if rename:
            params["rename"] = rename
        return self.call("fs/move", params)

    def copy(self, path, to, rename=None):
        params = {"path": path, "to": to}
        if rename:
            params["rename"] = rename
        return self.call("fs/copy", params)

    def upload(self, local, remote, if_exists=None, verify=False, progress=None, encrypt=None,
               encrypt_names=None):
        """Uploads a local file; `remote` ending in "/" is a folder. `encrypt=True` stores an
        age file (`NAME.age`, or an encrypted name with `encrypt_names=True`), `False` stores
        the clear text; None leaves the vault profile's default."""
        params = {"local": os.path.abspath(os.fspath(local)), "remote": remote}
        if if_exists:
            params["ifExists"] = if_exists
        if verify:
            params["verify"] = True
        self._encryption(params, encrypt, encrypt_names)
        return self.call("transfer/upload", params, progress=progress)

    def upload_bytes(self, data, remote, if_exists=None, progress=None, encrypt=None, encrypt_names=None):
        """Uploads in-memory content (small: it travels base64 in one line); `encrypt` and
        `encrypt_names` as for `upload`."""
        params = {"data": base64.b64encode(bytes(data)).decode("ascii"), "remote": remote}
        if if_exists:
            params["ifExists"] = if_exists
        self._encryption(params, encrypt, encrypt_names)
        return self.call("transfer/upload", params, progress=progress)

    def download(self, remote, local, overwrite=False, verify=False, progress=None, decrypt=None, resume=False):
        """Downloads a file given by path or by URL (`https://1fichier.com/?…`). `decrypt` is
        "auto" (age files are decrypted with the vault's key: the default when a vault
        exists), "always" or "never" (the stored bytes). `resume=True` keeps `LOCAL.partial`
        if the download fails and continues from it next time (a decryption from its last whole
        64 KiB chunk of plaintext)."""
        key = "url" if remote.startswith(("https://", "http://")) else "remote"
        params = {key: remote, "local": os.path.abspath(os.fspath(local))}
        if overwrite:
            params["overwrite"] = True
        if verify:
            params["verify"] = True
        if resume:
            params["resume"] = True
        if decrypt is not None:
            params["decrypt"] = decrypt
        return self.call("transfer/download", params, progress=progress)

    def link(self, path=None, url=None):
        """A direct download URL valid 5 minutes: `{"url", "expiresAt", "fileURL"}`."""
        return self.call("link/get", {"url": url} if url else {"path": path})

    # -- internals -------------------------------------------------------------------------

    @staticmethod
    def _encryption(params, encrypt, encrypt_names):
        # False is sent as such: it overrides a profile that encrypts by default.
        if encrypt is not None:
            params["encrypt"] = bool(encrypt)
        if encrypt_names is not None:
            params["encryptNames"] = bool(encrypt_names)

    def _write(self, line):
        with self._write_lock:
            if self._closed:
                raise OSError("the client is closed")
            self._process.stdin.write(line)
            self._process.stdin.flush()

    def _forget(self, request_id):
        with self._lock:
            self._progress.pop(request_id, None)
            return self._pending.pop(request_id, None)

    def _read_loop(self):
        stream = self._process.stdout
        for raw in iter(stream.readline, b""):
            try:
                message = json.loads(raw)
            except ValueError:
                continue  # the server only writes protocol lines; be lenient anyway
            if not isinstance(message, dict):
                continue
            if "id" in message and ("result" in message or "error" in message):
                future = self._forget(message["id"])
                if future is None or future.done():
                    continue
                if "error" in message:
                    future.set_exception(FichierError.from_error_object(message["error"]))
                else:
                    future.set_result(message["result"])
                continue
            method = message.get("method")
            params = message.get("params") or {}
            if not isinstance(method, str):
                continue
            if method == "event/progress":
                with self._lock:
                    callback = self._progress.get(params.get("requestId"))
                if callback is not None:
                    self._safely(callback, params)
            if self._on_event is not None:
                self._safely(self._on_event, method, params)
        status = self._process.wait()
        error = FichierError(-32603, f"fichier serve exited (status {status}) before answering",
                             {"kind": "server_exited", "retryable": True, "status": status})
        with self._lock:
            self._exit_error = error
            pending = list(self._pending.values())
            self._pending.clear()
            self._progress.clear()
        for future in pending:
            if not future.done():
                future.set_exception(error)

    @staticmethod
    def _safely(callback, *args):
        try:
            callback(*args)
        except Exception:  # a callback's bug must not stop the reader
            import traceback
            traceback.print_exc()

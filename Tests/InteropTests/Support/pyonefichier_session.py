#!/usr/bin/env python3
"""Drives pyOneFichierClient 1.0.4 (unmodified, from PyPI) against whatever answers for
api.1fichier.com — in the tests, the fichier emulator behind the intercepting proxy.

The client is a thin wrapper over `requests`; it parses end.pl's HTML table, calls
get_upload_server with GET, and reads JSON fields by name, so it checks the emulator's
shapes from a second, independent point of view. Prints one JSON object with what it saw
and exits non-zero on the first surprise.
"""

import http.server
import json
import os
import sys
import threading
import time

import requests
from pyOneFichierClient.OneFichierAPI.py1FichierClient import FichierClient

report = {}


def expect(condition, message):
    if not condition:
        print(json.dumps(report, default=str), flush=True)
        sys.exit(f"pyOneFichierClient session: {message}")


def serve_bytes(payload):
    """A loopback HTTP server for remote/request.cgi to fetch from."""
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Length", str(len(payload)))
            self.send_header("Content-Type", "application/octet-stream")
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def main():
    key = os.environ["INTEROP_API_KEY"]
    client = FichierClient(key)

    root = client.get_folder()
    report["root_name"] = root.name if hasattr(root, "name") else None

    # upload_file always sends ./TESTFILE.dat (a quirk of this client), without a folder id.
    payload = b"pyOneFichierClient was here\n" * 1000
    with open("TESTFILE.dat", "wb") as f:
        f.write(payload)
    url = client.upload_file("TESTFILE.dat")
    report["uploaded"] = url
    expect(isinstance(url, str) and url.startswith("https://1fichier.com/?"), f"upload gave {url!r}")

    info = client.get_file_info(url)
    report["info"] = info
    expect(info["filename"] == "TESTFILE.dat" and int(info["size"]) == len(payload), "file/info disagrees")
    expect(len(info["checksum"]) == 128, "no Whirlpool checksum")

    link = client.get_download_link(url)
    report["link"] = link
    body = requests.get(link).content
    expect(body == payload, "the download link served other bytes")

    server = serve_bytes(b"fetched by the remote upload\n")
    source = f"http://127.0.0.1:{server.server_address[1]}/remote.bin"
    created = client.remote_upload_create([source])
    report["remote"] = created
    expect(created.get("status") == "OK" and "id" in created, "remote/request refused")
    for _ in range(200):
        info = client.remote_upload_info(created["id"])
        if info.get("execution_date"):
            break
        time.sleep(0.05)
    report["remote_info"] = info
    expect(info.get("execution_date"), "the remote upload never ran")
    listed = client.list_remote_uploads()
    report["remote_list"] = listed
    expect(any(entry.get("id") == created["id"] for entry in listed.get("data", [])), "remote/ls lacks the task")

    folder = int(os.environ["INTEROP_FOLDER_ID"])
    moved = client.move_file([url], destination_folder=folder, rename="moved.dat")
    report["moved"] = moved
    expect(moved.get("moved") == 1, "file/mv did not move")
    after = client.get_file_info(url)
    report["after_move"] = after
    expect(int(after["folder_id"]) == folder and after["filename"] == "moved.dat", "file/mv went elsewhere")
    copied = client.copy_file([url])
    report["copied"] = copied
    removed = client.remove_file([url])
    report["removed"] = removed
    expect(removed.get("removed") == 1, "file/rm did not remove")

    print(json.dumps(report, default=str), flush=True)


if __name__ == "__main__":
    main()

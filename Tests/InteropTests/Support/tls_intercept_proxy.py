#!/usr/bin/env python3
"""An HTTP(S) proxy that makes the fichier emulator answer for *.1fichier.com.

Third-party 1fichier clients (rclone, pyOneFichierClient) hard-code
https://api.1fichier.com and https://<node>/upload.cgi. They honour the standard
HTTPS_PROXY / HTTP_PROXY variables and accept an extra CA certificate, so this proxy:

  * answers CONNECT for 1fichier.com and its sub-domains, terminates TLS with a
    certificate signed by a test CA it generates with `openssl`, and forwards the
    decrypted HTTP/1.1 requests to the emulator's plain-HTTP port;
  * forwards absolute-form plain-HTTP proxy requests (GET http://host/...) too;
  * adds `X-Forwarded-Proto` so the emulator builds URLs with the scheme the client used;
  * refuses every other host, so nothing leaves the machine.

Usage: tls_intercept_proxy.py --upstream 127.0.0.1:PORT --state DIR
Once listening it writes "PORT <n>" and "CA <path>" lines to DIR/ready (atomically) and to
stdout, then serves until killed.
"""

import argparse
import os
import select
import signal
import socket
import ssl
import subprocess
import sys
import threading

INTERCEPTED_SUFFIX = "1fichier.com"


def log(message):
    print(f"proxy: {message}", file=sys.stderr, flush=True)


def make_certificates(state):
    """Creates a CA and one leaf certificate for 1fichier.com and *.1fichier.com."""
    ca_key = os.path.join(state, "ca.key")
    ca_crt = os.path.join(state, "ca.pem")
    leaf_key = os.path.join(state, "leaf.key")
    leaf_csr = os.path.join(state, "leaf.csr")
    leaf_crt = os.path.join(state, "leaf.pem")
    ext = os.path.join(state, "leaf.ext")
    if os.path.exists(leaf_crt):
        return ca_crt, leaf_crt, leaf_key

    def run(*args):
        subprocess.run(["openssl", *args], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    run("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", ca_key, "-out", ca_crt,
        "-days", "2", "-subj", "/CN=fichier test CA",
        "-addext", "basicConstraints=critical,CA:TRUE",
        "-addext", "keyUsage=critical,keyCertSign,cRLSign")
    run("req", "-newkey", "rsa:2048", "-nodes", "-keyout", leaf_key, "-out", leaf_csr,
        "-subj", "/CN=api.1fichier.com")
    with open(ext, "w") as f:
        f.write("subjectAltName=DNS:1fichier.com,DNS:*.1fichier.com\n")
        f.write("extendedKeyUsage=serverAuth\n")
    run("x509", "-req", "-in", leaf_csr, "-CA", ca_crt, "-CAkey", ca_key, "-CAcreateserial",
        "-out", leaf_crt, "-days", "2", "-extfile", ext)
    return ca_crt, leaf_crt, leaf_key


def is_intercepted(host):
    host = host.lower().rstrip(".")
    return host == INTERCEPTED_SUFFIX or host.endswith("." + INTERCEPTED_SUFFIX)


class Reader:
    """Buffered reads from a socket (plain or TLS)."""

    def __init__(self, sock):
        self.sock = sock
        self.buffer = b""

    def fill(self):
        chunk = self.sock.recv(65536)
        if not chunk:
            return False
        self.buffer += chunk
        return True

    def read_until(self, marker, limit=1 << 20):
        while marker not in self.buffer:
            if len(self.buffer) > limit or not self.fill():
                return None
        index = self.buffer.index(marker) + len(marker)
        data, self.buffer = self.buffer[:index], self.buffer[index:]
        return data

    def read_exact(self, count):
        while len(self.buffer) < count:
            if not self.fill():
                return None
        data, self.buffer = self.buffer[:count], self.buffer[count:]
        return data

    def stream_exact(self, count, out):
        """Copies count bytes to out without holding them all (uploads can be large)."""
        if self.buffer:
            take = self.buffer[:count]
            self.buffer = self.buffer[len(take):]
            out.sendall(take)
            count -= len(take)
        while count > 0:
            chunk = self.sock.recv(min(count, 1 << 20))
            if not chunk:
                return False
            out.sendall(chunk)
            count -= len(chunk)
        return True


def parse_head(head):
    lines = head.decode("iso-8859-1").split("\r\n")
    request_line = lines[0]
    headers = []
    for line in lines[1:]:
        if not line:
            continue
        name, _, value = line.partition(":")
        headers.append((name.strip(), value.strip()))
    return request_line, headers


def header(headers, name):
    for key, value in headers:
        if key.lower() == name:
            return value
    return None


def pump_responses(upstream, client):
    """Copies the upstream's responses back to the client until either side closes."""
    try:
        while True:
            chunk = upstream.recv(1 << 20)
            if not chunk:
                break
            client.sendall(chunk)
    except OSError:
        pass
    finally:
        for s in (client, upstream):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


def forward_requests(reader, client, upstream_address, scheme, first_head=None):
    """Reads HTTP/1.1 requests from the client and forwards them to the emulator."""
    upstream = socket.create_connection(upstream_address)
    threading.Thread(target=pump_responses, args=(upstream, client), daemon=True).start()
    try:
        while True:
            head = first_head if first_head is not None else reader.read_until(b"\r\n\r\n")
            first_head = None
            if head is None:
                break
            request_line, headers = parse_head(head)
            method, target, version = request_line.split(" ", 2)
            if target.startswith("http://") or target.startswith("https://"):
                without_scheme = target.split("://", 1)[1]
                slash = without_scheme.find("/")
                target = "/" if slash < 0 else without_scheme[slash:]
            headers = [(k, v) for k, v in headers if k.lower() not in ("x-forwarded-proto", "proxy-connection")]
            headers.append(("X-Forwarded-Proto", scheme))
            out = f"{method} {target} {version}\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers) + "\r\n"
            upstream.sendall(out.encode("iso-8859-1"))
            length = header(headers, "content-length")
            if (header(headers, "transfer-encoding") or "").lower() == "chunked":
                while True:
                    size_line = reader.read_until(b"\r\n")
                    if size_line is None:
                        return
                    upstream.sendall(size_line)
                    size = int(size_line.split(b";")[0].strip(), 16)
                    if size == 0:
                        while True:  # optional trailer fields, then an empty line
                            line = reader.read_until(b"\r\n")
                            if line is None:
                                return
                            upstream.sendall(line)
                            if line == b"\r\n":
                                break
                        break
                    if not reader.stream_exact(size + 2, upstream):
                        return
            elif length is not None:
                if not reader.stream_exact(int(length), upstream):
                    return
    except (OSError, ValueError, ssl.SSLError) as error:
        log(f"connection ended: {error}")
    finally:
        try:
            upstream.shutdown(socket.SHUT_WR)
        except OSError:
            pass


def handle(client, upstream_address, context):
    try:
        reader = Reader(client)
        head = reader.read_until(b"\r\n\r\n")
        if head is None:
            client.close()
            return
        request_line, headers = parse_head(head)
        method, target, _ = request_line.split(" ", 2)
        if method == "CONNECT":
            host = target.rsplit(":", 1)[0]
            if not is_intercepted(host):
                client.sendall(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n")
                client.close()
                return
            client.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
            tls = context.wrap_socket(client, server_side=True)
            forward_requests(Reader(tls), tls, upstream_address, "https")
            return
        host = (target.split("://", 1)[1].split("/", 1)[0] if "://" in target else header(headers, "host") or "")
        if not is_intercepted(host.split(":")[0]):
            client.sendall(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n")
            client.close()
            return
        forward_requests(reader, client, upstream_address, "http", first_head=head)
    except (OSError, ValueError, ssl.SSLError) as error:
        log(f"client error: {error}")
        try:
            client.close()
        except OSError:
            pass


def main():
    # A parent may have spawned us with signals blocked (Foundation's Process does); unblock
    # them so that SIGTERM ends the proxy.
    signal.pthread_sigmask(signal.SIG_SETMASK, [])
    parser = argparse.ArgumentParser()
    parser.add_argument("--upstream", required=True, help="emulator host:port")
    parser.add_argument("--state", required=True, help="directory for the generated certificates")
    args = parser.parse_args()
    host, port = args.upstream.rsplit(":", 1)
    upstream_address = (host, int(port))
    os.makedirs(args.state, exist_ok=True)
    ca, cert, key = make_certificates(args.state)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    context.set_alpn_protocols(["http/1.1"])

    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(("127.0.0.1", 0))
    server.listen(64)
    announcement = f"PORT {server.getsockname()[1]}\nCA {ca}\n"
    ready = os.path.join(args.state, "ready")
    with open(ready + ".tmp", "w") as f:
        f.write(announcement)
    os.rename(ready + ".tmp", ready)
    print(announcement, end="", flush=True)
    while True:
        client, _ = server.accept()
        threading.Thread(target=handle, args=(client, upstream_address, context), daemon=True).start()


if __name__ == "__main__":
    main()

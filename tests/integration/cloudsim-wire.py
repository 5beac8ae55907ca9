#!/usr/bin/env python3
#
# Wire-level IPP-over-HTTPS client for the upa-cloudsim fault tests: sends
# one IPP request on a raw TLS socket and reports exactly what came back, so
# that a test can see a damaged answer as the bytes on the wire (libcurl and
# libcups would only report "error").  Standard library only.
#
# Copyright © 2026 by the cups-upa authors.
# Licensed under Apache License v2.0.  See the file "LICENSE" for more information.
#
# Usage:
#   cloudsim-wire.py --cacert FILE --token TOKEN [--timeout S] [--out FILE]
#                    [--progress FILE] URL OPERATION [GROUP.TAG.NAME=VALUE ...]
# --timeout bounds the whole exchange (default 30 s); --out receives the HTTP
# body; --progress gets a "headers" line once the response headers are in.
# (options may also come after the arguments)
#
# OPERATION is a name below or a number (0x0041).  Attributes as for
# cloudsim/testipp (op.uri.printer-uri=..., job.enum.output-device-job-state=9);
# groups op and job, in the order given.
#
# Prints "key=value" lines:
#   http=N|none            HTTP status, or none when no answer arrived
#   content-type=...       Content-Type header
#   retry-after=...        Retry-After header, when there is one
#   framing=length|chunked|close
#   content-length=N       announced length (framing=length)
#   body-bytes=N           body bytes received
#   body-complete=yes|no   Content-Length reached / last chunk seen
#   closed=yes|no          the server closed the connection
#   ipp=ok|short|none      IPP message parsed up to its end tag / ran out
#   end-tag=yes|no         end-of-attributes tag seen
#   status=0xNNNN          IPP status code (when 4 bytes arrived)
#   document-bytes=N       body bytes after the end-of-attributes tag
#   seconds=F              from sending the request to the end of the answer
#   attr NAME=VALUE        one line per IPP attribute value (strings, integers)
#   group-job              before each job group
# Exit status: 0 always when the request was sent (the report says the rest).
#

import socket
import ssl
import struct
import sys
import time
import urllib.parse

OPS = {
    "Print-Job": 0x0002,
    "Get-Jobs": 0x000A,
    "Get-Printer-Attributes": 0x000B,
    "Acknowledge-Document": 0x003F,
    "Acknowledge-Job": 0x0041,
    "Fetch-Document": 0x0042,
    "Fetch-Job": 0x0043,
    "Get-Output-Device-Attributes": 0x0044,
    "Update-Active-Jobs": 0x0045,
    "Update-Document-Status": 0x0047,
    "Update-Job-Status": 0x0048,
    "Update-Output-Device-Attributes": 0x0049,
}

GROUPS = {"op": 0x01, "job": 0x02}

TAGS = {
    "integer": 0x21, "boolean": 0x22, "enum": 0x23, "text": 0x41, "name": 0x42,
    "keyword": 0x44, "uri": 0x45, "charset": 0x47, "language": 0x48, "mimetype": 0x49,
}


def encode(op, attrs):
    """Encode an IPP 2.0 request with an operation group."""
    out = bytearray(struct.pack(">BBHI", 2, 0, op, 1))
    out.append(0x01)

    def add(tag, name, values):
        for i, value in enumerate(values):
            nm = name.encode() if i == 0 else b""
            if tag in (0x21, 0x23):
                data = struct.pack(">i", int(value, 0))
            elif tag == 0x22:
                data = b"\x01" if value in ("true", "1", "yes") else b"\x00"
            else:
                data = value.encode()
            out.extend(struct.pack(">BH", tag, len(nm)) + nm + struct.pack(">H", len(data)) + data)

    add(0x47, "attributes-charset", ["utf-8"])
    add(0x48, "attributes-natural-language", ["en"])
    current = "op"
    for spec in attrs:
        key, _, value = spec.partition("=")
        group, tag, name = key.split(".", 2)
        if group not in GROUPS:
            raise SystemExit("group must be op or job: " + spec)
        if group != current:
            out.append(GROUPS[group])
            current = group
        add(TAGS[tag], name, value.split(",") if tag != "uri" else [value])
    out.append(0x03)
    return bytes(out)


def parse_ipp(body, report):
    """Parse an IPP response; report status, attributes and the end tag."""
    if len(body) >= 4:
        report.append("status=0x%04x" % struct.unpack(">H", body[2:4])[0])
    if len(body) < 8:
        report.append("ipp=none" if not body else "ipp=short")
        report.append("end-tag=no")
        return
    pos = 8
    name = ""
    while pos < len(body):
        tag = body[pos]
        pos += 1
        if tag == 0x03:
            report.append("ipp=ok")
            report.append("end-tag=yes")
            report.append("document-bytes=%d" % (len(body) - pos))
            return
        if tag < 0x10:
            if tag == 0x02:
                report.append("group-job")
            continue
        if pos + 2 > len(body):
            break
        nlen = struct.unpack(">H", body[pos:pos + 2])[0]
        pos += 2
        if pos + nlen + 2 > len(body):
            break
        if nlen:
            name = body[pos:pos + nlen].decode("utf-8", "replace")
        pos += nlen
        vlen = struct.unpack(">H", body[pos:pos + 2])[0]
        pos += 2
        if pos + vlen > len(body):
            break
        value = body[pos:pos + vlen]
        pos += vlen
        if tag in (0x21, 0x23) and vlen == 4:
            report.append("attr %s=%d" % (name, struct.unpack(">i", value)[0]))
        elif 0x40 <= tag <= 0x5f:
            report.append("attr %s=%s" % (name, value.decode("utf-8", "replace")))
    report.append("ipp=short")
    report.append("end-tag=no")


def main():
    argv = sys.argv[1:]
    args = []
    cacert = token = out = progress = None
    timeout = 30.0
    while argv:
        opt = argv.pop(0)
        if not opt.startswith("--"):
            args.append(opt)
        elif opt == "--cacert":
            cacert = argv.pop(0)
        elif opt == "--token":
            token = argv.pop(0)
        elif opt == "--timeout":
            timeout = float(argv.pop(0))
        elif opt == "--out":
            out = argv.pop(0)
        elif opt == "--progress":
            progress = argv.pop(0)
        else:
            raise SystemExit("unknown option " + opt)
    if len(args) < 2:
        raise SystemExit(__doc__ if __doc__ else "usage: cloudsim-wire.py [options] URL OPERATION [ATTRS]")

    url = urllib.parse.urlsplit(args[0])
    op = OPS[args[1]] if args[1] in OPS else int(args[1], 0)
    body = encode(op, args[2:])

    ctx = ssl.create_default_context(cafile=cacert)
    raw = socket.create_connection((url.hostname, url.port or 443), timeout=timeout)
    sock = ctx.wrap_socket(raw, server_hostname=url.hostname)
    head = "POST %s HTTP/1.1\r\nHost: %s\r\nContent-Type: application/ipp\r\nContent-Length: %d\r\n" % (url.path or "/", url.netloc, len(body))
    if token:
        head += "Authorization: Bearer %s\r\n" % token
    head += "\r\n"

    start = time.monotonic()
    sock.sendall(head.encode() + body)

    data = bytearray()
    closed = False

    deadline = time.monotonic() + timeout

    def fill():
        nonlocal closed
        if closed:
            return False
        left = deadline - time.monotonic()
        if left <= 0:
            return False
        sock.settimeout(left)
        try:
            chunk = sock.recv(65536)
        except socket.timeout:
            return False
        except (ssl.SSLError, ConnectionError, OSError):
            chunk = b""
        if not chunk:
            closed = True
            return False
        data.extend(chunk)
        return True

    report = []
    while b"\r\n\r\n" not in data:
        if not fill():
            break
    if b"\r\n\r\n" not in data:
        report.append("http=none")
        report.append("closed=%s" % ("yes" if closed else "no"))
        report.append("seconds=%.2f" % (time.monotonic() - start))
        print("\n".join(report))
        return 0

    if progress is not None:
        with open(progress, "w") as f:
            f.write("headers\n")

    hdr, _, rest = bytes(data).partition(b"\r\n\r\n")
    lines = hdr.decode("latin-1").split("\r\n")
    report.append("http=%s" % lines[0].split()[1])
    headers = {}
    for line in lines[1:]:
        k, _, v = line.partition(":")
        headers[k.strip().lower()] = v.strip()
    if "content-type" in headers:
        report.append("content-type=%s" % headers["content-type"])
    if "retry-after" in headers:
        report.append("retry-after=%s" % headers["retry-after"])
    data = bytearray(rest)

    payload = bytearray()
    complete = False
    if "content-length" in headers:
        length = int(headers["content-length"])
        report.append("framing=length")
        report.append("content-length=%d" % length)
        while len(data) < length and fill():
            pass
        payload = data[:length]
        complete = len(data) >= length
    elif headers.get("transfer-encoding", "").lower() == "chunked":
        report.append("framing=chunked")
        pos = 0
        while True:
            while b"\r\n" not in data[pos:] and fill():
                pass
            eol = data.find(b"\r\n", pos)
            if eol < 0:
                break
            size = int(bytes(data[pos:eol]).split(b";")[0] or b"0", 16)
            pos = eol + 2
            if size == 0:
                complete = True
                break
            while len(data) < pos + size + 2 and fill():
                pass
            payload.extend(data[pos:min(pos + size, len(data))])
            if len(data) < pos + size + 2:
                break
            pos += size + 2
    else:
        report.append("framing=close")
        while fill():
            pass
        payload = data
        complete = True

    if not closed and not complete:
        fill()
    report.append("body-bytes=%d" % len(payload))
    report.append("body-complete=%s" % ("yes" if complete else "no"))
    if headers.get("content-type", "").startswith("application/ipp"):
        parse_ipp(bytes(payload), report)
    elapsed = time.monotonic() - start
    # Did the server close?  A short wait tells a kept-alive connection
    # from a closed one.
    if not closed:
        deadline = time.monotonic() + 0.5
        fill()
    report.append("closed=%s" % ("yes" if closed else "no"))
    report.append("seconds=%.2f" % elapsed)

    if out is not None:
        with open(out, "wb") as f:
            f.write(bytes(payload))

    print("\n".join(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())

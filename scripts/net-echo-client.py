#!/usr/bin/env python3
"""Send bytes to an echo server and check that every one comes back.

usage: net-echo-client.py HOST PORT BYTES [SEED]

BYTES of pseudo-random data (random.Random(SEED), default 1) go out on
one TCP connection while a second thread reads the answer; the answer
must be the same bytes in the same order. Prints one line, either

    net-echo-client: 104857600 bytes both ways, byte for byte, in 4.2 s

or what went wrong (the first differing offset, a short answer, a stall
of more than 60 s), and exits 0 or 1.
"""
import random
import socket
import sys
import threading
import time

STALL = 60  # seconds without progress before giving up


def main():
    if len(sys.argv) not in (4, 5):
        sys.exit(__doc__)
    host, port, size = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    seed = int(sys.argv[4]) if len(sys.argv) == 5 else 1
    data = random.Random(seed).randbytes(size)
    s = socket.create_connection((host, port), timeout=STALL)
    t0 = time.monotonic()
    sent = []

    def sender():
        try:
            s.sendall(data)
            s.shutdown(socket.SHUT_WR)
            sent.append(True)
        except OSError as e:
            sent.append(e)

    t = threading.Thread(target=sender, daemon=True)
    t.start()
    got = bytearray()
    try:
        while len(got) < size:
            chunk = s.recv(1 << 20)
            if not chunk:
                break
            got += chunk
    except OSError as e:
        print("net-echo-client: after %d bytes back: %s" % (len(got), e))
        return 1
    took = time.monotonic() - t0
    t.join(STALL)
    if sent != [True]:
        print("net-echo-client: sending failed: %s" % (sent or "still sending"))
        return 1
    if bytes(got) != data:
        n = min(len(got), size)
        at = next((i for i in range(n) if got[i] != data[i]), n)
        print("net-echo-client: %d of %d bytes back, first difference at %d" % (len(got), size, at))
        return 1
    print("net-echo-client: %d bytes both ways, byte for byte, in %.1f s" % (size, took))
    return 0


if __name__ == "__main__":
    sys.exit(main())

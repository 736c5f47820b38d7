"""Helpers shared by the module tests (test_modules.py, test_abi_v1.py,
test_example_counter.py): hash slots, polling, a XOR-transport client."""

import time

from harness import RawClient


def crc16(data):
    """CRC16/XMODEM, the hash of Redis Cluster's key slots."""
    crc = 0
    for b in data:
        crc ^= b << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else (crc << 1)
            crc &= 0xFFFF
    return crc


def key_slot(key):
    if isinstance(key, str):
        key = key.encode()
    s = key.find(b"{")
    if s >= 0:
        e = key.find(b"}", s + 1)
        if e > s + 1:
            key = key[s + 1:e]
    return crc16(key) % 16384


def shard_of(key, shards):
    return key_slot(key) % shards


def keys_on_distinct_shards(shards, prefix="k"):
    """One key per shard: {shard: key}."""
    out = {}
    i = 0
    while len(out) < shards:
        k = "%s%d" % (prefix, i)
        out.setdefault(shard_of(k, shards), k)
        i += 1
    return out


def wait_until(fn, what, timeout=10.0):
    """Polls fn until it returns a true value (returned); fails after timeout.
    A liveness bound, not a timing assertion."""
    deadline = time.time() + timeout
    while True:
        v = fn()
        if v:
            return v
        if time.time() > deadline:
            raise AssertionError("timed out waiting for " + what)
        time.sleep(0.01)


class XorSocket(object):
    """A socket whose bytes are XORed with key both ways (the hooks module's
    "xor" transport)."""

    def __init__(self, sock, key):
        self.sock = sock
        self.table = bytes(i ^ key for i in range(256))

    def sendall(self, data):
        self.sock.sendall(bytes(data).translate(self.table))

    def recv(self, n):
        return self.sock.recv(n).translate(self.table)

    def settimeout(self, t):
        self.sock.settimeout(t)

    def setsockopt(self, *a):
        self.sock.setsockopt(*a)

    def close(self):
        self.sock.close()


def xor_client(port, key, timeout=10.0):
    c = RawClient("127.0.0.1", port, timeout=timeout)
    c.sock = XorSocket(c.sock, key)
    return c


def module_list(client):
    """MODULE LIST as [{name, ver, path, args}] from a RESP2 raw client."""
    out = []
    for entry in client.execute("MODULE", "LIST"):
        d = dict(zip(entry[0::2], entry[1::2]))
        out.append(d)
    return out


def info_dict(text):
    if isinstance(text, bytes):
        text = text.decode()
    out = {}
    for line in text.split("\r\n"):
        if line and not line.startswith("#") and ":" in line:
            k, v = line.split(":", 1)
            out[k] = v
    return out

#!/usr/bin/python3
"""Self-test of harness.RawClient's RESP2/RESP3 parser against canned bytes (no server needed)."""

import os
import socket
import sys
import threading
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import (RawClient, RespError, RespMap, RespSet, RespPush, RespDouble, RespBigNumber,  # noqa: E402
                     RespVerbatim, RESP3_NULL, ConnectionClosed, main)


class CannedServer(object):
    """Accepts one connection, records what it receives, sends `payload` in small pieces, closes."""

    def __init__(self, payload):
        self.payload = payload
        self.received = b""
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(1)
        self.port = self.sock.getsockname()[1]
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self):
        conn, _ = self.sock.accept()
        conn.settimeout(0.3)
        try:
            while True:
                chunk = conn.recv(4096)
                if not chunk:
                    break
                self.received += chunk
        except socket.timeout:
            pass
        for i in range(0, len(self.payload), 3):  # dribble to exercise partial reads
            conn.sendall(self.payload[i:i + 3])
        conn.close()
        self.sock.close()


class TestParser(unittest.TestCase):

    def parse(self, payload, count=1, send=None):
        srv = CannedServer(payload)
        c = RawClient("127.0.0.1", srv.port)
        if send:
            c.send(*send)
        out = [c.read() for _ in range(count)]
        c.close()
        srv.thread.join(5)
        return out if count > 1 else out[0], srv

    def test_resp2_types(self):
        payload = (b"+OK\r\n-ERR bad thing\r\n:42\r\n:-7\r\n$5\r\nhello\r\n$0\r\n\r\n$-1\r\n*-1\r\n"
                   b"*3\r\n$1\r\na\r\n:1\r\n*1\r\n$-1\r\n$4\r\na\r\nb\r\n")
        got, _ = self.parse(payload, 10)
        self.assertEqual(got[0], "OK")
        self.assertEqual(got[1], RespError("ERR bad thing"))
        self.assertEqual(got[1].code, "ERR")
        self.assertEqual(got[2:4], [42, -7])
        self.assertEqual(got[4:6], [b"hello", b""])
        self.assertIsNone(got[6])
        self.assertIsNone(got[7])
        self.assertEqual(got[8], [b"a", 1, [None]])
        self.assertEqual(got[9], b"a\r\nb")

    def test_resp3_types(self):
        payload = (b"_\r\n,3.5\r\n,inf\r\n,-inf\r\n,nan\r\n#t\r\n#f\r\n(12345678901234567890\r\n"
                   b"=15\r\ntxt:Some string\r\n!21\r\nSYNTAX invalid syntax\r\n"
                   b"%2\r\n+first\r\n:1\r\n$6\r\nsecond\r\n*2\r\n:1\r\n:2\r\n"
                   b"~3\r\n+a\r\n+b\r\n+a\r\n>3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$3\r\nmsg\r\n"
                   b"|1\r\n+key-popularity\r\n%1\r\n$1\r\na\r\n,0.19\r\n*1\r\n:7\r\n"
                   b"%1\r\n*2\r\n:1\r\n:2\r\n+v\r\n")
        got, _ = self.parse(payload, 15)
        self.assertIs(got[0], RESP3_NULL)
        self.assertFalse(got[0])
        self.assertIsNot(got[0], None)
        self.assertIsInstance(got[1], RespDouble)
        self.assertEqual(got[1], 3.5)
        self.assertEqual(got[2], float("inf"))
        self.assertEqual(got[3], float("-inf"))
        self.assertNotEqual(got[4], got[4])  # nan
        self.assertIs(got[5], True)
        self.assertIs(got[6], False)
        self.assertIsInstance(got[7], RespBigNumber)
        self.assertEqual(got[7], 12345678901234567890)
        self.assertIsInstance(got[8], RespVerbatim)
        self.assertEqual(got[8], b"Some string")
        self.assertEqual(got[8].format, b"txt")
        self.assertEqual(got[9], RespError("SYNTAX invalid syntax"))
        self.assertIsInstance(got[10], RespMap)
        self.assertEqual(got[10]["first"], 1)
        self.assertEqual(got[10][b"second"], [1, 2])
        self.assertEqual(got[10].pairs, [("first", 1), (b"second", [1, 2])])
        self.assertIsInstance(got[11], RespSet)
        self.assertEqual(list(got[11]), ["a", "b", "a"])
        self.assertIsInstance(got[12], RespPush)
        self.assertEqual(list(got[12]), [b"message", b"ch", b"msg"])
        self.assertEqual(got[13], [7])
        self.assertIsInstance(got[13], list)
        self.assertEqual(got[14][(1, 2)], "v")  # unhashable key stored as a tuple

    def test_attribute_recorded(self):
        srv = CannedServer(b"|1\r\n+ttl\r\n:3\r\n$1\r\nx\r\n")
        c = RawClient("127.0.0.1", srv.port)
        self.assertEqual(c.read(), b"x")
        self.assertEqual(dict(c.last_attributes), {"ttl": 3})
        c.close()

    def test_send_encoding(self):
        _, srv = self.parse(b"+OK\r\n", send=("SET", b"k\x00", 12, "v a"))
        self.assertEqual(srv.received, b"*4\r\n$3\r\nSET\r\n$2\r\nk\x00\r\n$2\r\n12\r\n$3\r\nv a\r\n")

    def test_closed_and_raw(self):
        srv = CannedServer(b"+PONG\r\n-ERR x\r\n")
        c = RawClient("127.0.0.1", srv.port)
        self.assertEqual(c.read(), "PONG")
        self.assertEqual(c.read_raw_until_closed(), b"-ERR x\r\n")
        c.close()
        srv = CannedServer(b"+A\r\n")
        c = RawClient("127.0.0.1", srv.port)
        self.assertEqual(c.read(), "A")
        with self.assertRaises(ConnectionClosed):
            c.read()
        c.close()


if __name__ == "__main__":
    main()

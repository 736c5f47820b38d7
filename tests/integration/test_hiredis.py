#!/usr/bin/python3
"""Runs the hiredis C client (test_hiredis.c, built by CMake; path in $HIREDIS_TEST_BIN)
against a server started by the harness. Skipped when HIREDIS_TEST_BIN is unset."""

import os
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import start_server, main  # noqa: E402

BIN = os.environ.get("HIREDIS_TEST_BIN")


@unittest.skipUnless(BIN, "HIREDIS_TEST_BIN not set")
class TestHiredis(unittest.TestCase):

    def run_client(self, server):
        proc = subprocess.run([BIN, "127.0.0.1", str(server.port)], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, timeout=60)
        self.assertEqual(proc.returncode, 0,
                         "hiredis client failed:\n%s%s" % (proc.stdout.decode(), proc.stderr.decode()))

    def test_hiredis_client(self):
        self.assertTrue(os.access(BIN, os.X_OK), "%s is not executable" % BIN)
        with start_server() as server:
            self.run_client(server)

    def test_hiredis_client_sharded(self):
        with start_server(shards=4) as server:
            self.run_client(server)


if __name__ == "__main__":
    main()

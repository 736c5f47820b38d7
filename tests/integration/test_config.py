"""ember's configuration: ember.conf (INI), EMBER_* environment variables,
command-line flags, their precedence, CONFIG REWRITE keeping comments,
--config-template, pidfile, and refusal of bad values at start-up."""
import os
import subprocess
import tempfile
import unittest

import harness


@unittest.skipUnless(harness.is_ember(), "ember's config file format and flags")
class TestConfigSources(unittest.TestCase):

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="ember-config-test-")
        self.conf = os.path.join(self.dir, "ember.conf")

    def write_conf(self, text):
        with open(self.conf, "w") as f:
            f.write(text)

    def config_get(self, r, name):
        return r.execute_command("CONFIG", "GET", name)[1].decode()

    def test_file_env_and_flag_precedence(self):
        self.write_conf("# a comment\nmaxclients = 111\nhz = 20\ntimeout = 7\n")
        env = {"EMBER_HZ": "30", "EMBER_TIMEOUT": "8"}
        with harness.start_server(extra_args=("--config", self.conf, "--timeout", "9"), env=env) as srv:
            r = srv.client()
            self.assertEqual(self.config_get(r, "maxclients"), "111")  # file
            self.assertEqual(self.config_get(r, "hz"), "30")            # env beats file
            self.assertEqual(self.config_get(r, "timeout"), "9")        # flag beats env
            self.assertEqual(r.info("server")["config_file"], self.conf)

    def test_rewrite_keeps_comments_and_order(self):
        self.write_conf("# top comment\nmaxclients = 111\n; inline style comment\nhz = 20\n")
        with harness.start_server(extra_args=("--config", self.conf)) as srv:
            r = srv.client()
            r.execute_command("CONFIG", "SET", "hz", "25", "timeout", "42")
            self.assertEqual(r.execute_command("CONFIG", "REWRITE"), b"OK")
        with open(self.conf) as f:
            lines = f.read().splitlines()
        self.assertEqual(lines[0], "# top comment")
        self.assertEqual(lines[1], "maxclients = 111")
        self.assertEqual(lines[2], "; inline style comment")
        self.assertEqual(lines[3], "hz = 25")
        self.assertIn("timeout = 42", lines[4:])
        # the rewritten file starts a server with the same values
        with harness.start_server(extra_args=("--config", self.conf)) as srv:
            r = srv.client()
            self.assertEqual(self.config_get(r, "hz"), "25")
            self.assertEqual(self.config_get(r, "timeout"), "42")

    def test_rewrite_without_file(self):
        with harness.start_server() as srv:
            with self.assertRaises(harness.redis.ResponseError) as e:
                srv.client().execute_command("CONFIG", "REWRITE")
            self.assertEqual(str(e.exception), "The server is running without a config file")

    def test_bad_values_refuse_to_start(self):
        for args in (("--port", "notaport"), ("--maxmemory-policy", "sometimes"), ("--nosuch", "1")):
            p = subprocess.run([harness.ember_binary(), *args], capture_output=True, timeout=10)
            self.assertNotEqual(p.returncode, 0, args)
        self.write_conf("nosuchdirective = 1\n")
        p = subprocess.run([harness.ember_binary(), "--config", self.conf], capture_output=True, timeout=10)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn(b"line 1", p.stderr)

    def test_template_is_a_complete_valid_config(self):
        p = subprocess.run([harness.ember_binary(), "--config-template"], capture_output=True, timeout=10, check=True)
        text = p.stdout.decode()
        for name in ("port", "maxclients", "list-max-listpack-size", "proto-max-bulk-len", "shards"):
            self.assertIn("\n%s = " % name, text)
        self.write_conf(text.replace("\nport = 6379\n", "\nport = 0\n"))
        # the template itself loads (port overridden by the harness flag)
        with harness.start_server(extra_args=("--config", self.conf)) as srv:
            self.assertEqual(srv.client().ping(), True)

    def test_moot_directive_round_trips(self):
        with harness.start_server() as srv:
            r = srv.client()
            self.assertEqual(r.execute_command("CONFIG", "SET", "list-max-listpack-size", "-3"), b"OK")
            self.assertEqual(self.config_get(r, "list-max-listpack-size"), "-3")
            self.assertEqual(self.config_get(r, "list-max-ziplist-size"), "-3")

    def test_pidfile(self):
        pidfile = os.path.join(self.dir, "ember.pid")
        with harness.start_server(extra_args=("--pidfile", pidfile)) as srv:
            with open(pidfile) as f:
                self.assertEqual(int(f.read()), srv.proc.pid)
        self.assertFalse(os.path.exists(pidfile))


if __name__ == "__main__":
    unittest.main()

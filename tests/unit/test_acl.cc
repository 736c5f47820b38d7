// SHA-256, the constant-time compare, and ACL users' rules.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "acl.h"
#include "command.h"
#include "sha256.h"

using ember::AclUser;
using ember::CommandTable;

TEST_CASE("sha256 known answers") {
  REQUIRE(ember::Sha256Hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  REQUIRE(ember::Sha256Hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  // 56 bytes: the padding spills into a second block.
  REQUIRE(ember::Sha256Hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq") ==
          "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  REQUIRE(ember::Sha256Hex(std::string(1000000, 'a')) ==
          "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST_CASE("constant-time equality") {
  REQUIRE(ember::ConstantTimeEquals("secret", "secret"));
  REQUIRE_FALSE(ember::ConstantTimeEquals("secret", "secreT"));
  REQUIRE_FALSE(ember::ConstantTimeEquals("secret", "secrets"));
  REQUIRE(ember::ConstantTimeEquals("", ""));
}

TEST_CASE("acl rules") {
  ember::RegisterAllCommands();
  const CommandTable& t = CommandTable::Get();
  AclUser u;
  u.name = "u";
  for (const char* rule : {"on", ">pw", "~k:*", "+@string", "-set", "+config|get"}) REQUIRE(u.Apply(rule).empty());
  REQUIRE(u.enabled);
  REQUIRE(u.CheckPassword("pw"));
  REQUIRE_FALSE(u.CheckPassword("pW"));
  REQUIRE(u.Allows(t.Find("get")->id));
  REQUIRE_FALSE(u.Allows(t.Find("set")->id));
  REQUIRE_FALSE(u.Allows(t.Find("hset")->id));
  const ember::CommandSpec* config = t.Find("config");
  for (const ember::CommandSpec& sub : config->subcommands)
    REQUIRE(u.Allows(sub.id) == (sub.name == "config|get"));
  REQUIRE_FALSE(u.Unrestricted());
  REQUIRE(u.Describe() == "user u on #" + ember::Sha256Hex("pw") + " ~k:* resetchannels +@string -set +config|get");
  REQUIRE(u.Apply("+nosuch") == "Unknown command or category name in ACL");
  REQUIRE(u.Apply("+@nosuch") == "Unknown command or category name in ACL");
  REQUIRE(u.Apply("%X~k") == "Syntax error");
  for (const char* rule : {"allkeys", "allchannels", "allcommands"}) REQUIRE(u.Apply(rule).empty());
  REQUIRE(u.Unrestricted());
  REQUIRE(u.Apply("nopass").empty());
  REQUIRE(u.CheckPassword("anything"));
}

#include "cli/history_policy.h"

#include <algorithm>

#include "cli/args.h"

namespace ember::cli {

bool CarriesSecret(const std::vector<std::string>& args) {
  if (args.empty()) return false;
  auto has = [&](std::string_view word) {
    return std::any_of(args.begin() + 1, args.end(), [&](const std::string& a) { return EqualsIgnoreCase(a, word); });
  };
  const std::string& cmd = args[0];
  if (EqualsIgnoreCase(cmd, "auth")) return true;
  if (EqualsIgnoreCase(cmd, "hello")) return has("auth");
  if (EqualsIgnoreCase(cmd, "migrate")) return has("auth") || has("auth2");
  if (args.size() >= 2 && EqualsIgnoreCase(cmd, "acl")) return EqualsIgnoreCase(args[1], "setuser");
  if (args.size() >= 2 && EqualsIgnoreCase(cmd, "config") && EqualsIgnoreCase(args[1], "set"))
    return has("requirepass") || has("masterauth");
  return false;
}

}  // namespace ember::cli

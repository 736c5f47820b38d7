// Which command lines stay out of ~/.ember_history: those that carry a
// password, so a secret typed once is not kept on disk.
#pragma once

#include <string>
#include <vector>

namespace ember::cli {

// AUTH, HELLO ... AUTH, ACL SETUSER, MIGRATE ... AUTH/AUTH2, and CONFIG SET of
// requirepass or masterauth.
bool CarriesSecret(const std::vector<std::string>& args);

}  // namespace ember::cli

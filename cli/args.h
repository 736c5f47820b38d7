// Command lines as redis-cli reads them (whitespace-separated words, "..."
// with backslash escapes, '...' literal), and commands as RESP requests.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ember::cli {

// The words of `line`, or nullopt when a quote is unbalanced or a closing
// quote is not followed by a space (redis-cli's sdssplitargs rules).
std::optional<std::vector<std::string>> SplitArgs(std::string_view line);

// A RESP multibulk request.
std::string EncodeCommand(const std::vector<std::string>& args);

bool EqualsIgnoreCase(std::string_view a, std::string_view b);
std::string ToLower(std::string_view s);
std::string ToUpper(std::string_view s);

}  // namespace ember::cli

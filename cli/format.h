// Replies as text, exactly as redis-cli prints them: the terminal form
// ("(integer) 1", quoted strings, numbered and indented aggregates) and the
// raw form used when the output is piped.
#pragma once

#include <string>
#include <string_view>

#include "cli/reply.h"

namespace ember::cli {

enum class OutputMode { kTty, kRaw };

// The terminal form, ending in a newline.
std::string FormatTty(const Reply& reply);
// The raw form, ending in a newline: strings unquoted, aggregate elements one
// per line, a nil as an empty line.
std::string FormatRaw(const Reply& reply);
std::string Format(const Reply& reply, OutputMode mode);
// A string in double quotes with redis-cli's escapes (\n, \", \xNN, ...).
std::string Quote(std::string_view s);

}  // namespace ember::cli

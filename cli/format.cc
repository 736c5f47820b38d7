#include "cli/format.h"

#include <cstdio>

namespace ember::cli {

namespace {

using T = Reply::Type;

std::string Tty(const Reply& r, const std::string& prefix) {
  switch (r.type) {
    case T::kError: return "(error) " + r.str + "\n";
    case T::kStatus: return r.str + "\n";
    case T::kInteger: return "(integer) " + std::to_string(r.integer) + "\n";
    case T::kDouble: return "(double) " + r.str + "\n";
    case T::kBigNumber: return "(big number) " + r.str + "\n";
    case T::kString: return Quote(r.str) + "\n";
    case T::kVerbatim: return r.str + "\n";
    case T::kNil: return "(nil)\n";
    case T::kBool: return r.integer ? "(true)\n" : "(false)\n";
    case T::kArray: case T::kMap: case T::kSet: case T::kPush: break;
  }
  if (r.elements.empty()) {
    switch (r.type) {
      case T::kMap: return "(empty hash)\n";
      case T::kSet: return "(empty set)\n";
      case T::kPush: return "(empty push)\n";
      default: return "(empty array)\n";
    }
  }
  bool map = r.type == T::kMap;
  size_t count = map ? r.elements.size() / 2 : r.elements.size();
  size_t width = std::to_string(count).size();
  // Nested elements line up under their parent's first element.
  std::string child_prefix = prefix + std::string(width + 2, ' ');
  char sep = r.type == T::kSet ? '~' : map ? '#' : ')';
  std::string out;
  for (size_t i = 0, n = 1; i < r.elements.size(); ++i, ++n) {
    char index[32];
    snprintf(index, sizeof index, "%*zu%c ", static_cast<int>(width), n, sep);
    if (i > 0) out += prefix;
    out += index;
    out += Tty(r.elements[i], child_prefix);
    if (map) {
      out.pop_back();
      out += " => ";
      std::string value = Tty(r.elements[++i], child_prefix);
      // A value of several lines starts on a line of its own, indented.
      if (value.find('\n') + 1 < value.size()) out += "\n" + child_prefix;
      out += value;
    }
  }
  return out;
}

std::string Raw(const Reply& r) {
  switch (r.type) {
    case T::kNil: return "";
    case T::kError: case T::kStatus: case T::kString: case T::kVerbatim: case T::kDouble: case T::kBigNumber:
      return r.str;
    case T::kBool: return r.integer ? "(true)" : "(false)";
    case T::kInteger: return std::to_string(r.integer);
    case T::kArray: case T::kSet: case T::kPush: case T::kMap: break;
  }
  std::string out;
  bool map = r.type == T::kMap;
  for (size_t i = 0; i < r.elements.size(); ++i) {
    if (i > 0) out += '\n';
    out += Raw(r.elements[i]);
    if (map) {
      out += ' ';
      out += Raw(r.elements[++i]);
    }
  }
  return out;
}

}  // namespace

std::string Quote(std::string_view s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    switch (c) {
      case '\\': out += "\\\\"; break;
      case '"': out += "\\\""; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\a': out += "\\a"; break;
      case '\b': out += "\\b"; break;
      default:
        if (c >= 0x20 && c < 0x7f) {
          out += static_cast<char>(c);
        } else {
          char hex[8];
          snprintf(hex, sizeof hex, "\\x%02x", c);
          out += hex;
        }
    }
  }
  return out + "\"";
}

std::string FormatTty(const Reply& reply) { return Tty(reply, ""); }

std::string FormatRaw(const Reply& reply) { return Raw(reply) + "\n"; }

std::string Format(const Reply& reply, OutputMode mode) {
  return mode == OutputMode::kTty ? FormatTty(reply) : FormatRaw(reply);
}

}  // namespace ember::cli

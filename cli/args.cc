#include "cli/args.h"

#include <cctype>

namespace ember::cli {

namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool IsBlank(char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\v' || c == '\f'; }

}  // namespace

std::optional<std::vector<std::string>> SplitArgs(std::string_view line) {
  std::vector<std::string> words;
  size_t i = 0, n = line.size();
  auto at = [&](size_t k) { return k < n ? line[k] : '\0'; };
  while (true) {
    while (i < n && IsBlank(line[i])) ++i;
    if (i >= n) return words;
    std::string word;
    bool in_double = false, in_single = false;
    while (true) {
      char c = at(i);
      if (in_double) {
        if (c == '\\' && at(i + 1) == 'x' && HexValue(at(i + 2)) >= 0 && HexValue(at(i + 3)) >= 0) {
          word += static_cast<char>(HexValue(at(i + 2)) * 16 + HexValue(at(i + 3)));
          i += 4;
          continue;
        }
        if (c == '\\' && i + 1 < n) {
          char e = line[i + 1];
          word += e == 'n' ? '\n' : e == 'r' ? '\r' : e == 't' ? '\t' : e == 'b' ? '\b' : e == 'a' ? '\a' : e;
          i += 2;
          continue;
        }
        if (i >= n) return std::nullopt;
        ++i;
        if (c == '"') {
          if (i < n && !IsBlank(line[i])) return std::nullopt;
          break;
        }
        word += c;
      } else if (in_single) {
        if (c == '\\' && at(i + 1) == '\'') {
          word += '\'';
          i += 2;
          continue;
        }
        if (i >= n) return std::nullopt;
        ++i;
        if (c == '\'') {
          if (i < n && !IsBlank(line[i])) return std::nullopt;
          break;
        }
        word += c;
      } else {
        if (i >= n || IsBlank(c)) break;
        ++i;
        if (c == '"') in_double = true;
        else if (c == '\'') in_single = true;
        else word += c;
      }
    }
    words.push_back(std::move(word));
  }
}

std::string EncodeCommand(const std::vector<std::string>& args) {
  std::string out = "*" + std::to_string(args.size()) + "\r\n";
  for (const std::string& a : args) {
    out += '$';
    out += std::to_string(a.size());
    out += "\r\n";
    out += a;
    out += "\r\n";
  }
  return out;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
  return true;
}

std::string ToLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string ToUpper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace ember::cli

#include "cli/line_editor.h"

#include <errno.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "cli/line_assist.h"

namespace ember::cli {

namespace {

constexpr char kHighlight[] = "\x1b[1;32m";
constexpr char kHintColour[] = "\x1b[90m";
constexpr char kReset[] = "\x1b[0m";

// Terminal columns taken by `s`, or -1 when it holds something libedit would
// not draw as itself (control characters are shown as ^X).
int Width(std::string_view s) {
  std::string copy(s);
  std::vector<wchar_t> wide(copy.size() + 1);
  size_t n = mbstowcs(wide.data(), copy.c_str(), wide.size());
  if (n == static_cast<size_t>(-1)) return -1;
  return wcswidth(wide.data(), n);
}

std::string MoveCursor(int columns) {
  if (columns == 0) return "";
  return "\x1b[" + std::to_string(std::abs(columns)) + (columns > 0 ? "C" : "D");
}

void WriteAll(const std::string& s) {
  size_t done = 0;
  while (done < s.size()) {
    ssize_t n = write(STDOUT_FILENO, s.data() + done, s.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    done += n;
  }
}

std::string CommonPrefix(const std::vector<std::string>& words) {
  std::string prefix = words.front();
  for (const std::string& w : words) {
    size_t i = 0;
    while (i < prefix.size() && i < w.size() && prefix[i] == w[i]) ++i;
    prefix.resize(i);
  }
  return prefix;
}

}  // namespace

LineEditor::LineEditor(const CommandCatalog& catalog, std::string history_file)
    : catalog_(catalog), history_file_(std::move(history_file)) {
  const char* term = getenv("TERM");
  decorate_ = isatty(STDOUT_FILENO) && !(term && std::string_view(term) == "dumb");
  HistEvent ev;
  history_ = history_init();
  history(history_, &ev, H_SETSIZE, 1000);
  history(history_, &ev, H_SETUNIQUE, 1);
  if (!history_file_.empty()) history(history_, &ev, H_LOAD, history_file_.c_str());

  el_ = el_init("ember-cli", stdin, stdout, stderr);
  el_set(el_, EL_CLIENTDATA, this);
  el_set(el_, EL_EDITOR, "emacs");
  el_set(el_, EL_SIGNAL, 1);
  el_set(el_, EL_HIST, history, history_);
  el_set(el_, EL_PROMPT, &LineEditor::PromptFn);
  // The wide call keeps our static strings; the narrow one copies them and
  // never frees the copies.
  el_wset(el_, EL_ADDFN, L"ember-complete", L"Complete a command or subcommand name", &LineEditor::CompleteFn);
  el_set(el_, EL_BIND, "^I", "ember-complete", nullptr);
  el_set(el_, EL_GETCFN, &LineEditor::GetCharFn);
  // The user's ~/.editrc, for their own key bindings.
  el_source(el_, nullptr);
}

LineEditor::~LineEditor() {
  el_end(el_);
  history_end(history_);
}

LineEditor* LineEditor::From(EditLine* el) {
  void* self = nullptr;
  el_get(el, EL_CLIENTDATA, &self);
  return static_cast<LineEditor*>(self);
}

char* LineEditor::PromptFn(EditLine* el) { return From(el)->prompt_.data(); }

unsigned char LineEditor::CompleteFn(EditLine* el, int) { return From(el)->Complete(); }

std::optional<std::string> LineEditor::ReadLine(const std::string& prompt) {
  prompt_ = prompt;
  int count = 0;
  const char* line = el_gets(el_, &count);
  if (line == nullptr || count <= 0) return std::nullopt;
  std::string out(line, count);
  if (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

void LineEditor::AddHistory(const std::string& line) {
  HistEvent ev;
  history(history_, &ev, H_ENTER, line.c_str());
  if (!history_file_.empty()) history(history_, &ev, H_SAVE, history_file_.c_str());
}

unsigned char LineEditor::Complete() {
  const LineInfo* li = el_line(el_);
  std::string_view to_cursor(li->buffer, li->cursor - li->buffer);
  Completion c = cli::Complete(catalog_, to_cursor);
  if (c.candidates.empty()) return CC_REFRESH_BEEP;
  size_t typed = to_cursor.size() - c.word_start;
  if (c.candidates.size() == 1) {
    std::string rest = c.candidates[0].substr(typed) + " ";
    el_insertstr(el_, rest.c_str());
    return CC_REFRESH;
  }
  std::string common = CommonPrefix(c.candidates);
  if (common.size() > typed) {
    el_insertstr(el_, common.substr(typed).c_str());
    return CC_REFRESH;
  }
  // Nothing more in common: list the candidates in columns under the line.
  int cols = 80;
  el_get(el_, EL_GETTC, "co", &cols);
  size_t width = 0;
  for (const std::string& w : c.candidates) width = std::max(width, w.size() + 2);
  size_t per_row = std::max<size_t>(1, static_cast<size_t>(cols) / width);
  std::string out = "\n";
  for (size_t i = 0; i < c.candidates.size(); ++i) {
    out += c.candidates[i];
    bool row_end = (i + 1) % per_row == 0 || i + 1 == c.candidates.size();
    out += row_end ? std::string("\n") : std::string(width - c.candidates[i].size(), ' ');
  }
  WriteAll(out);
  return CC_REDISPLAY;
}

void LineEditor::Decorate() {
  if (!decorate_) return;
  const LineInfo* li = el_line(el_);
  std::string_view line(li->buffer, li->lastchar - li->buffer);
  std::string_view before(li->buffer, li->cursor - li->buffer);
  int cols = 0;
  if (el_get(el_, EL_GETTC, "co", &cols) != 0 || cols <= 0) return;
  int prompt_width = Width(prompt_), line_width = Width(line), cursor = Width(before);
  // Only a line that fits on one row: there columns are simple arithmetic.
  if (prompt_width < 0 || line_width < 0 || cursor < 0 || prompt_width + line_width >= cols) return;

  std::string out;
  size_t start = line.find_first_not_of(" \t");
  if (start != std::string_view::npos) {
    size_t end = std::min(line.find_first_of(" \t", start), line.size());
    std::string_view word = line.substr(start, end - start);
    if (IsKnownCommand(catalog_, word)) {
      int word_start = Width(line.substr(0, start)), word_end = Width(line.substr(0, end));
      out += MoveCursor(word_start - cursor) + kHighlight + std::string(word) + kReset + MoveCursor(cursor - word_end);
    }
  }
  if (li->cursor == li->lastchar) {
    std::string hint = Hint(catalog_, line);
    int room = cols - prompt_width - line_width - 1;
    if (static_cast<int>(hint.size()) > room) hint.resize(std::max(room, 0));
    int hint_width = Width(hint);
    if (hint_width > 0) {
      out += kHintColour + hint + kReset + MoveCursor(-hint_width);
      hint_shown_ = true;
    }
  }
  if (!out.empty()) {
    fflush(stdout);
    WriteAll(out);
  }
}

int LineEditor::GetCharFn(EditLine* el, wchar_t* out) {
  LineEditor* self = From(el);
  self->Decorate();
  while (true) {
    char byte;
    ssize_t n = read(STDIN_FILENO, &byte, 1);
    if (n < 0 && errno == EINTR) continue;
    if (self->hint_shown_) {
      WriteAll("\x1b[K");
      self->hint_shown_ = false;
    }
    if (n <= 0) return n == 0 ? 0 : -1;
    size_t r = mbrtowc(out, &byte, 1, &self->mbstate_);
    if (r == static_cast<size_t>(-2)) continue;  // the middle of a multibyte character
    if (r == static_cast<size_t>(-1)) {
      self->mbstate_ = std::mbstate_t{};
      *out = static_cast<unsigned char>(byte);
    }
    return 1;
  }
}

}  // namespace ember::cli

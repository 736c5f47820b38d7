// The REPL's terminal line: libedit (emacs keys, ~/.editrc) with a history
// file, Tab completion, a grey hint of the arguments still to type and the
// command word highlighted.
//
// libedit draws only the text it edits, so the hint and the highlight are
// drawn by us at the one moment libedit's picture of the screen is final:
// when it asks for the next key (our EL_GETCFN). The hint goes after the
// cursor and is erased as soon as the key arrives, before libedit acts on it;
// the highlight rewrites the command word's own characters in colour. Either
// way libedit's idea of what is on the screen stays true.
#pragma once

#include <histedit.h>

#include <cwchar>
#include <optional>
#include <string>

#include "cli/catalog.h"

namespace ember::cli {

class LineEditor {
 public:
  // `history_file` empty: history is kept for this session only.
  LineEditor(const CommandCatalog& catalog, std::string history_file);
  ~LineEditor();
  LineEditor(const LineEditor&) = delete;
  LineEditor& operator=(const LineEditor&) = delete;

  // The next line without its newline; nullopt at end of input (Ctrl-D).
  std::optional<std::string> ReadLine(const std::string& prompt);
  // Adds to the history and saves the file.
  void AddHistory(const std::string& line);

 private:
  static char* PromptFn(EditLine* el);
  static unsigned char CompleteFn(EditLine* el, int key);
  static int GetCharFn(EditLine* el, wchar_t* out);
  static LineEditor* From(EditLine* el);

  unsigned char Complete();
  // Draws the highlight and the hint for the line as it now stands.
  void Decorate();

  const CommandCatalog& catalog_;
  std::string history_file_;
  std::string prompt_;
  EditLine* el_ = nullptr;
  History* history_ = nullptr;
  // Colours and cursor moves only where they are understood: a terminal
  // other than TERM=dumb.
  bool decorate_ = false;
  bool hint_shown_ = false;
  std::mbstate_t mbstate_{};
};

}  // namespace ember::cli

#include "slowlog.h"

#include "util.h"

namespace ember {

SlowLogEntry SlowLog::MakeEntry(std::span<const std::string_view> argv, int64_t duration_us, std::string_view peer) {
  SlowLogEntry e{0, NowMs() / 1000, duration_us, {}, std::string(peer), {}};
  size_t argc = std::min(argv.size(), kMaxArgs);
  e.args.reserve(argc);
  for (size_t i = 0; i < argc; ++i) {
    // The last slot says how many arguments were left out.
    if (argc != argv.size() && i == argc - 1) {
      e.args.push_back("... (" + std::to_string(argv.size() - argc + 1) + " more arguments)");
    } else if (argv[i].size() > kMaxArgLen) {
      e.args.push_back(std::string(argv[i].substr(0, kMaxArgLen)) + "... (" +
                       std::to_string(argv[i].size() - kMaxArgLen) + " more bytes)");
    } else {
      e.args.emplace_back(argv[i]);
    }
  }
  return e;
}

void SlowLog::Add(SlowLogEntry e, size_t max_len) {
  std::lock_guard<std::mutex> lock(mu_);
  e.id = next_id_++;
  entries_.push_front(std::move(e));
  while (entries_.size() > max_len) entries_.pop_back();
}

std::vector<SlowLogEntry> SlowLog::Newest(int64_t count) const {
  std::lock_guard<std::mutex> lock(mu_);
  size_t n = count < 0 ? entries_.size() : std::min(entries_.size(), static_cast<size_t>(count));
  return std::vector<SlowLogEntry>(entries_.begin(), entries_.begin() + static_cast<ptrdiff_t>(n));
}

size_t SlowLog::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return entries_.size();
}

void SlowLog::Reset() {
  std::lock_guard<std::mutex> lock(mu_);
  entries_.clear();
}

}  // namespace ember

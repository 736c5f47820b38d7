// RunIsolated: runs a scenario in a forked child so that a crash (SIGSEGV from
// a corrupted table, an abort) or a hang becomes an ordinary test failure
// instead of killing the whole Catch run. The scenario returns "" on success
// or a description of what went wrong; it must not use Catch macros (they
// would record into the child's copy of the runner).
#pragma once

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <functional>
#include <string>

namespace ember_test {

struct IsolatedResult {
  bool ok = false;
  std::string what;  // the scenario's message, or how the child died
};

inline IsolatedResult RunIsolated(const std::function<std::string()>& scenario, unsigned timeout_s = 20) {
  IsolatedResult r;
  int fds[2];
  if (pipe(fds) != 0) {
    r.what = "pipe failed";
    return r;
  }
  pid_t pid = fork();
  if (pid < 0) {
    r.what = "fork failed";
    return r;
  }
  if (pid == 0) {
    close(fds[0]);
    alarm(timeout_s);
    std::string msg = scenario();
    if (!msg.empty()) {
      ssize_t n = write(fds[1], msg.data(), msg.size());
      (void)n;
    }
    _exit(msg.empty() ? 0 : 1);
  }
  close(fds[1]);
  std::string msg;
  char buf[512];
  ssize_t n;
  while ((n = read(fds[0], buf, sizeof buf)) > 0) msg.append(buf, static_cast<size_t>(n));
  close(fds[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  if (WIFEXITED(status)) {
    r.ok = WEXITSTATUS(status) == 0;
    r.what = r.ok ? "ok"
             : msg.empty() ? "child exited with status " + std::to_string(WEXITSTATUS(status)) +
                                 " (a sanitizer report, if any, is on stderr)"
                           : msg;
  } else if (WIFSIGNALED(status)) {
    int sig = WTERMSIG(status);
    r.what = std::string("child killed by signal ") + std::to_string(sig) + " (" + strsignal(sig) + ")" +
             (sig == SIGALRM ? ": timed out" : "");
  } else {
    r.what = "child ended oddly";
  }
  return r;
}

}  // namespace ember_test

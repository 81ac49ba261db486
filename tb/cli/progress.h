// progress.h: a one-line progress bar on stderr, shown only when stderr is a terminal (so logs,
// CI output and pipes stay clean).
#pragma once

#include <chrono>
#include <cstdio>
#include <string>

#include <unistd.h>

namespace cosim::cli {

class Progress {
 public:
  explicit Progress(std::string what) : what_(std::move(what)), tty_(isatty(STDERR_FILENO) != 0) {}
  ~Progress() { Done(); }
  void Update(int done, int total) {
    if (!tty_ || total <= 0) return;
    const int width = 30, fill = done * width / total;
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0_).count();
    std::fprintf(stderr, "\r%s [%s%s] %d/%d %.1fs", what_.c_str(), std::string(fill, '#').c_str(),
                 std::string(width - fill, '.').c_str(), done, total, s);
    std::fflush(stderr);
    shown_ = true;
  }
  void Done() {
    if (shown_) std::fputs("\n", stderr);
    shown_ = false;
  }

 private:
  std::string what_;
  bool tty_;
  bool shown_ = false;
  std::chrono::steady_clock::time_point t0_ = std::chrono::steady_clock::now();
};

}  // namespace cosim::cli

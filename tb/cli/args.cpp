#include "tb/cli/args.h"

#include <algorithm>
#include <cstdio>
#include <set>

#include "sim/core/error.h"

namespace cosim::cli {

std::string ParsedArgs::Get(const std::string& name, const std::string& def) const {
  auto it = values_.find(name);
  return it == values_.end() || it->second.empty() ? def : it->second.back();
}

const std::vector<std::string>& ParsedArgs::GetAll(const std::string& name) const {
  static const std::vector<std::string> kNone;
  auto it = values_.find(name);
  return it == values_.end() ? kNone : it->second;
}

int ParsedArgs::GetInt(const std::string& name, int def, int lo, int hi) const {
  if (!Has(name)) return def;
  const std::string v = Get(name);
  size_t pos = 0;
  long long n = 0;
  try {
    n = std::stoll(v, &pos);
  } catch (...) {
    pos = 0;
  }
  if (pos != v.size() || v.empty()) throw Error(ExitCode::kUsage, "--" + name + " expects an integer, got '" + v + "'");
  if (n < lo || n > hi) {
    throw Error(ExitCode::kUsage, "--" + name + " = " + v + " is out of range [" + std::to_string(lo) + ", " +
                                      std::to_string(hi) + "]");
  }
  return static_cast<int>(n);
}

Command::Command(std::string name, std::string summary, std::string usage, std::vector<OptionSpec> options,
                 std::string notes)
    : name_(std::move(name)), summary_(std::move(summary)), usage_(std::move(usage)), notes_(std::move(notes)),
      options_(std::move(options)) {}

const OptionSpec* Command::Find(const std::string& name) const {
  for (const auto& o : options_)
    if (o.name == name) return &o;
  return nullptr;
}

std::string Command::Help() const {
  std::string s = "usage: " + usage_ + "\n\n" + summary_ + "\n\noptions:\n";
  for (const auto& o : options_) {
    std::string left = "  --" + o.name + (o.value.empty() ? "" : " " + o.value);
    if (left.size() < 30) left.resize(30, ' ');
    else left += "\n" + std::string(30, ' ');
    s += left + o.help;
    if (!o.fallback.empty()) s += " (default: " + o.fallback + ")";
    if (o.repeatable) s += " [repeatable]";
    s += "\n";
  }
  s += "  --help                      show this help\n";
  if (!notes_.empty()) s += "\n" + notes_ + "\n";
  return s;
}

bool Command::Parse(const std::vector<std::string>& argv, ParsedArgs* out) const {
  for (size_t i = 0; i < argv.size(); ++i) {
    const std::string& a = argv[i];
    if (a == "--help" || a == "-h") {
      std::fputs(Help().c_str(), stdout);
      return false;
    }
    if (a.rfind("--", 0) != 0 || a.size() == 2) {
      if (!a.empty() && a[0] == '-' && a.size() > 1) {
        throw Error(ExitCode::kUsage, "cosim " + name_ + ": unknown option '" + a + "' (see cosim " + name_ + " --help)");
      }
      out->positionals_.push_back(a);
      continue;
    }
    std::string key = a.substr(2), value;
    const size_t eq = key.find('=');
    const bool inline_value = eq != std::string::npos;
    if (inline_value) {
      value = key.substr(eq + 1);
      key = key.substr(0, eq);
    }
    const OptionSpec* spec = Find(key);
    if (!spec) throw Error(ExitCode::kUsage, "cosim " + name_ + ": unknown option '--" + key + "' (see cosim " + name_ + " --help)");
    if (spec->value.empty()) {
      if (inline_value) throw Error(ExitCode::kUsage, "cosim " + name_ + ": option '--" + key + "' takes no value");
      value = "1";
    } else if (!inline_value) {
      if (i + 1 >= argv.size()) {
        throw Error(ExitCode::kUsage, "cosim " + name_ + ": option '--" + key + "' needs a value (" + spec->value + ")");
      }
      value = argv[++i];
    }
    auto& slot = out->values_[key];
    if (!slot.empty() && !spec->repeatable && !spec->value.empty()) {
      throw Error(ExitCode::kUsage, "cosim " + name_ + ": option '--" + key + "' given more than once");
    }
    slot.push_back(value);
  }
  return true;
}

std::vector<int> ParseLayerList(const std::string& text, const std::string& option) {
  if (text.empty() || text == "all") return {};
  std::set<int> out;
  size_t start = 0;
  auto bad = [&](const std::string& why) {
    throw Error(ExitCode::kUsage, option + " '" + text + "': " + why + " (examples: 3, 0,5,7, 2-6, all)");
  };
  auto number = [&](const std::string& s) {
    if (s.empty() || s.size() > 6 || s.find_first_not_of("0123456789") != std::string::npos) bad("'" + s + "' is not a layer number");
    return std::stoi(s);
  };
  while (start <= text.size()) {
    size_t comma = text.find(',', start);
    if (comma == std::string::npos) comma = text.size();
    const std::string part = text.substr(start, comma - start);
    const size_t dash = part.find('-');
    if (dash == std::string::npos) {
      out.insert(number(part));
    } else {
      const int lo = number(part.substr(0, dash)), hi = number(part.substr(dash + 1));
      if (lo > hi) bad("range " + part + " is reversed");
      for (int i = lo; i <= hi; ++i) out.insert(i);
    }
    start = comma + 1;
  }
  return std::vector<int>(out.begin(), out.end());
}

}  // namespace cosim::cli

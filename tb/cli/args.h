// args.h: the command-line parser of every cosim subcommand.
//
// Contract: each subcommand declares its options (name, value name, help, default) once; the
// same table produces --help and parses. Unknown options, missing values and repeated
// single-value options are usage errors (cosim::Error, ExitCode::kUsage) naming the option and
// the subcommand. `--name VALUE` and `--name=VALUE` are both accepted.
#pragma once

#include <map>
#include <string>
#include <vector>

namespace cosim::cli {

struct OptionSpec {
  std::string name;     // without the leading "--"
  std::string value;    // value name for help ("N", "DIR"); empty for a flag
  std::string help;
  std::string fallback; // shown in help as the default; empty: none
  bool repeatable = false;
};

class ParsedArgs {
 public:
  bool Has(const std::string& name) const { return values_.count(name) > 0; }
  // The option's value, or `def` when it was not given.
  std::string Get(const std::string& name, const std::string& def = "") const;
  const std::vector<std::string>& GetAll(const std::string& name) const;
  int GetInt(const std::string& name, int def, int lo, int hi) const;
  const std::vector<std::string>& positionals() const { return positionals_; }

 private:
  friend class Command;
  std::map<std::string, std::vector<std::string>> values_;
  std::vector<std::string> positionals_;
};

class Command {
 public:
  Command(std::string name, std::string summary, std::string usage, std::vector<OptionSpec> options,
          std::string notes = "");
  // Parses argv (after the subcommand words). Returns false when --help was asked for (the help
  // text has then been printed to stdout).
  bool Parse(const std::vector<std::string>& argv, ParsedArgs* out) const;
  std::string Help() const;
  const std::string& name() const { return name_; }
  const std::string& summary() const { return summary_; }

 private:
  const OptionSpec* Find(const std::string& name) const;
  std::string name_, summary_, usage_, notes_;
  std::vector<OptionSpec> options_;
};

// "3", "0,5,7", "2-6", "0,10-12", "all" -> sorted unique layer indices (empty for "all").
std::vector<int> ParseLayerList(const std::string& text, const std::string& option);

}  // namespace cosim::cli

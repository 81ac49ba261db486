// commands.h: the cosim subcommands. Each takes the words after its name and returns the
// process exit code; failures are thrown as cosim::Error.
#pragma once

#include <string>
#include <vector>

namespace cosim::cli {

int RunVectors(const std::vector<std::string>& argv);
int RunVectorsVerify(const std::vector<std::string>& argv);
int RunModelExport(const std::vector<std::string>& argv);
int RunModelInfo(const std::vector<std::string>& argv);
int RunProfiles(const std::vector<std::string>& argv);
int RunRegress(const std::vector<std::string>& argv);
int RunSweep(const std::vector<std::string>& argv);
int RunCosim(const std::vector<std::string>& argv);

}  // namespace cosim::cli

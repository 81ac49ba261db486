# Warnings and floating-point hygiene for every C++ target of the project.
# -ffp-contract=off: the contract (docs/datapath.md) forbids fused multiply-adds, and the golden
# vectors must be byte-identical on every machine.
add_library(cosim_flags INTERFACE)
target_compile_options(cosim_flags INTERFACE
  $<$<COMPILE_LANGUAGE:CXX>:-Wall -Wextra -Wpedantic -ffp-contract=off -fno-fast-math>)

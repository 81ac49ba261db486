# Detects the optional toolchains (SystemC, Verilator, CUDA) and records what will be built.
# Each is AUTO (build when found), ON (fail when missing) or OFF.
set(_cosim_summary "")

function(_cosim_note line)
  set(_cosim_summary "${_cosim_summary}\n  ${line}" PARENT_SCOPE)
endfunction()

# SystemC 2.3.x from Debian ships pkg-config files only.
set(COSIM_HAVE_SYSTEMC OFF)
if(NOT COSIM_WITH_SYSTEMC STREQUAL "OFF")
  find_path(SYSTEMC_INCLUDE_DIR systemc.h PATHS /usr/include /usr/local/include ENV SYSTEMC_HOME PATH_SUFFIXES include)
  find_library(SYSTEMC_LIBRARY systemc PATHS /usr/lib/x86_64-linux-gnu /usr/lib /usr/local/lib ENV SYSTEMC_HOME PATH_SUFFIXES lib lib-linux64)
  if(SYSTEMC_INCLUDE_DIR AND SYSTEMC_LIBRARY)
    set(COSIM_HAVE_SYSTEMC ON)
    if(NOT TARGET SystemC::systemc)
      add_library(SystemC::systemc UNKNOWN IMPORTED)
      set_target_properties(SystemC::systemc PROPERTIES
        IMPORTED_LOCATION ${SYSTEMC_LIBRARY}
        INTERFACE_INCLUDE_DIRECTORIES ${SYSTEMC_INCLUDE_DIR}
        INTERFACE_COMPILE_DEFINITIONS "SC_INCLUDE_FX;SC_CPLUSPLUS=201703L")
    endif()
  elseif(COSIM_WITH_SYSTEMC STREQUAL "ON")
    message(FATAL_ERROR "SystemC requested but not found: apt-get install libsystemc-dev")
  endif()
endif()

set(COSIM_HAVE_VERILATOR OFF)
if(NOT COSIM_WITH_VERILATOR STREQUAL "OFF")
  find_package(verilator HINTS $ENV{VERILATOR_ROOT} /usr/share/verilator QUIET)
  if(verilator_FOUND)
    set(COSIM_HAVE_VERILATOR ON)
  elseif(COSIM_WITH_VERILATOR STREQUAL "ON")
    message(FATAL_ERROR "Verilator requested but not found: apt-get install verilator")
  endif()
endif()

set(COSIM_HAVE_CUDA OFF)
if(NOT COSIM_WITH_CUDA STREQUAL "OFF")
  include(CheckLanguage)
  if(NOT CMAKE_CUDA_COMPILER AND EXISTS /usr/local/cuda/bin/nvcc)
    set(CMAKE_CUDA_COMPILER /usr/local/cuda/bin/nvcc)
  endif()
  check_language(CUDA)
  if(CMAKE_CUDA_COMPILER)
    # The GPU machines are H100/H200 (sm_90); nvcc's own default (sm_75 for nvcc 13) would run
    # there only through PTX JIT. A -DCMAKE_CUDA_ARCHITECTURES=... given by the user wins.
    if(NOT DEFINED CMAKE_CUDA_ARCHITECTURES)
      set(CMAKE_CUDA_ARCHITECTURES 90)
    endif()
    enable_language(CUDA)
    set(COSIM_HAVE_CUDA ON)
  elseif(COSIM_WITH_CUDA STREQUAL "ON")
    message(FATAL_ERROR "CUDA requested but nvcc not found")
  endif()
endif()

function(cosim_print_feature_summary)
  set(s "asic-cosim configuration:")
  foreach(f SYSTEMC VERILATOR CUDA)
    if(COSIM_HAVE_${f})
      string(APPEND s "\n  ${f}: found, building its parts")
    else()
      string(APPEND s "\n  ${f}: not found or disabled (COSIM_WITH_${f}=${COSIM_WITH_${f}}), its parts are skipped")
    endif()
  endforeach()
  message(STATUS "${s}")
endfunction()

# Included by the top-level CMakeLists.txt when ROOMD_FUZZ is on, before any target exists:
# every library gets libFuzzer's coverage instrumentation (fuzzer-no-link; the fuzzer's main is
# linked only into the targets, by roomd_fuzz_target) and AddressSanitizer with UBSan, where
# undefined behaviour aborts so that the fuzzer keeps the input.
if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
  message(FATAL_ERROR "ROOMD_FUZZ needs clang: configure with -DCMAKE_CXX_COMPILER=clang++")
endif()
#
# Without -fsanitize=function (part of clang 14's `undefined` for C++): its check data cannot
# be emitted for coroutines, which fail to compile with "Cannot represent a difference across
# sections" (llvm-project issue 49689). Every other UBSan check stays.
add_compile_options(-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize=function
                    -fno-sanitize-recover=undefined -fno-omit-frame-pointer)
add_link_options(-fsanitize=address,undefined -fno-sanitize=function)

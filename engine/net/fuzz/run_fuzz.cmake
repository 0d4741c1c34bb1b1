# Configures and builds the protocol fuzz target with clang in BINARY_DIR, writes the seed
# corpus and fuzzes for SECONDS seconds. Run as a CTest test (tests/net) or by hand:
#
#   cmake -DSOURCE_DIR=engine/net/fuzz -DBINARY_DIR=build-fuzz -DSECONDS=3600 \
#         -P engine/net/fuzz/run_fuzz.cmake
#
# Without clang or libFuzzer it prints a line that starts with "SKIPPED:" and succeeds, which
# the CTest test reports as skipped. A crash fails with the path of the input that caused it.
if(NOT SECONDS)
    set(SECONDS 30)
endif()

find_program(clang_compiler NAMES clang++ clang++-14)
if(NOT clang_compiler)
    message("SKIPPED: clang++ not found; install clang and libclang-rt-14-dev to fuzz")
    return()
endif()

execute_process(
    COMMAND ${CMAKE_COMMAND} -S ${SOURCE_DIR} -B ${BINARY_DIR} -G Ninja
            -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=${clang_compiler}
    RESULT_VARIABLE status)
if(NOT status EQUAL 0)
    message(FATAL_ERROR "configuring the fuzz target in ${BINARY_DIR} failed")
endif()
execute_process(COMMAND ${CMAKE_COMMAND} --build ${BINARY_DIR} -j2 RESULT_VARIABLE status)
if(NOT status EQUAL 0)
    message(FATAL_ERROR "building the fuzz target in ${BINARY_DIR} failed")
endif()
if(NOT EXISTS ${BINARY_DIR}/fuzz_protocol)
    message("SKIPPED: ${clang_compiler} cannot link libFuzzer; install libclang-rt-14-dev")
    return()
endif()

# The seeds are rewritten each run; the corpus keeps what earlier runs found.
file(REMOVE_RECURSE ${BINARY_DIR}/seeds)
file(MAKE_DIRECTORY ${BINARY_DIR}/seeds ${BINARY_DIR}/corpus ${BINARY_DIR}/crashes)
execute_process(COMMAND ${BINARY_DIR}/protocol_seed_corpus ${BINARY_DIR}/seeds
                RESULT_VARIABLE status)
if(NOT status EQUAL 0)
    message(FATAL_ERROR "writing the seed corpus failed")
endif()

execute_process(
    COMMAND ${BINARY_DIR}/fuzz_protocol -max_total_time=${SECONDS} -timeout=10
            -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix=${BINARY_DIR}/crashes/
            ${BINARY_DIR}/corpus ${BINARY_DIR}/seeds
    RESULT_VARIABLE status)
if(NOT status EQUAL 0)
    message(FATAL_ERROR "the fuzzer found a failing input; see ${BINARY_DIR}/crashes/ and "
                        "replay it with ${BINARY_DIR}/fuzz_protocol <file>")
endif()

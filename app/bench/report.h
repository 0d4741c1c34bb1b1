#pragma once

#include "command_stream.h"
#include "journal_benchmark.h"
#include "resting_benchmark.h"
#include "stream_benchmark.h"

#include <cstdio>

namespace bourse::bench {

// Writes the figures as text lines for a person to read.
void printText(std::FILE *out, const CommandStream &stream, const StreamResult &result);
void printText(std::FILE *out, const RestingResult &result);
void printText(std::FILE *out, const JournalBenchmarkResult &result);

// Writes the figures as exactly one JSON object on one line; key names carry the units.
void printJson(std::FILE *out, const CommandStream &stream, const StreamResult &result);
void printJson(std::FILE *out, const RestingResult &result);
void printJson(std::FILE *out, const JournalBenchmarkResult &result);

} // namespace bourse::bench

#pragma once

// What a journal keeps of a training run so that a restart continues the same scenario: the
// scenario's text, its file name and the seed the run chose. The market's clock needs no field,
// since every journaled event carries its market time.

#include "scenario_training.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace bourse::training {

// The kind of a training record among a journal's records (storage::JournalRecord).
inline constexpr char kTrainingRecordKind[] = "training";

struct TrainingRecord {
    std::string fileName; // the scenario file as the run named it
    std::uint64_t seed = 0;
    std::string text; // the scenario's text, parsed again on a restart
};

// The record of a run of `scenario` with `seed`.
TrainingRecord recordOf(const TrainingScenario &scenario, std::uint64_t seed);

// The body of the record: header lines "training 1", "file NAME", "seed N" and "text BYTES",
// then the scenario's text, which is BYTES long.
std::string encodeTrainingRecord(const TrainingRecord &record);
// Reads a body that encodeTrainingRecord() wrote. Returns nothing, with `error` set to what is
// wrong, for another body.
std::optional<TrainingRecord> decodeTrainingRecord(std::string_view body, std::string &error);

// Parses the record's scenario again, as the run parsed it, with the record's seed.
TrainingParseResult parseRecordedScenario(const TrainingRecord &record);

} // namespace bourse::training

#pragma once

// bourse-bench feed: remote feed messages ingested per second over loopback TCP, beside a bare
// ZeroMQ PUB/SUB baseline measured in the same run.

#include <string>
#include <vector>

namespace bourse::bench {

// Runs `bourse-bench feed` with the arguments after its name. Returns the process exit status:
// 0 measured, 1 a run failed, 2 usage error.
int runFeedCommand(const std::vector<std::string> &arguments);

} // namespace bourse::bench

#pragma once

#include "replay_feed.h"

namespace bourse::replay::testing {

// Steps a recorded `feed` to its end; returns the messages applied, or -1 when a step failed or
// waited as a live feed does.
inline int replayToEnd(ReplayFeed &feed)
{
    int applied = 0;
    for (;;) {
        switch (feed.step()) {
        case ReplayFeed::Step::Applied:
            ++applied;
            break;
        case ReplayFeed::Step::Finished:
            return applied;
        case ReplayFeed::Step::Failed:
            return -1;
        case ReplayFeed::Step::Waiting:
            return -1; // a recorded feed never waits
        }
    }
}

} // namespace bourse::replay::testing

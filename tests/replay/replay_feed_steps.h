#pragma once

#include "replay_feed.h"

namespace bourse::replay::testing {

// Steps `feed` to its end; returns the messages applied, or -1 when a step failed.
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
        }
    }
}

} // namespace bourse::replay::testing

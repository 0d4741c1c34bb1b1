#pragma once

// A remote feed (docs/feeds.md) as the source of a terminal session. A thread of its own
// receives the feed with FeedSubscriber, whose FeedBooks check the sequence numbers, request
// snapshots and decide whether each book is live. Every change they make to the followed
// stream's book is handed to the session's engine thread, which applies it to the session's
// engine with the replay's code: OrderApplier (lobster::MessageApplier) for an order-level
// stream and replay::DepthReplay for a level stream. So the panels, and the queue-position
// model of paper orders (ReplayFills), see the feed as they see a replay.

#include "feed_subscriber.h"
#include "replay_feed.h"

#include <memory>
#include <string>
#include <vector>

namespace bourse {
class Engine;
}

namespace bourse::net::feed {

// Subscribes to `feeds` and returns a live ReplayFeed on `engine`, a fresh Engine() without
// instruments. The session's engine contains one book, that of the followed stream: the first
// topic of the first feed that lists topics, or the first topic that arrives from any feed.
// Returns null and sets `error`, naming the endpoint, when a socket cannot connect.
//
// Step() applies what has arrived, one change a call, and returns Waiting once nothing is left.
// The instrument is defined with the stream's first definition, or with decimals of zero and a
// tick and a lot of one unit when its first message comes without one. staleReason() is the
// reason FeedBooks gives while the followed stream is not live (a gap, a contradiction, a
// pending snapshot), followed by where the snapshot was requested, or by the note that the feed
// has no snapshot endpoint.
std::unique_ptr<ReplayFeed> openLiveFeed(std::vector<FeedSubscription> feeds, Engine &engine,
                                         std::string &error);

} // namespace bourse::net::feed

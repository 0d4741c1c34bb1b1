#pragma once

// The server's side of a snapshot: the events that rebuild one stream's state on an empty
// replica (replica.h), taken from the engine between commands.

#include "engine.h"
#include "protocol.h"
#include "replica.h"

#include <cstdint>
#include <vector>

namespace bourse::net {

// Builds the response to a SnapshotRequest, as docs/protocol.md ("SnapshotRequest and
// SnapshotPart") lists its events:
// - instrument: InstrumentAdded, TradingStatusChanged, a Trade of quantity zero carrying the last
//   trade price (when there was a trade), an OrderAdded per resting order in book priority
//   order (bids, then asks; an iceberg's displayed slice), TopOfBook;
// - account: AccountOpened (its opening balance is the cash now), RiskLimitsSet for the
//   default limits and each override, KillSwitchChanged when a switch is engaged, per working
//   order by id an OrderAccepted with its remaining quantity then OrderAdded or OrderParked,
//   and a FillPosted of trade sequence zero per position the portfolio contains.
// The events' record sequence numbers count them from 1 across the parts, because a message
// needs increasing numbers; every part's eventSequence is engine.lastSequence(). Their time is
// zero. Each part encodes to at most kMaximumPayloadSize bytes of payload; part i (from zero) is
// sent with header sequence i + 1, and the last with kLastPartFlag. An unknown instrument or
// an account that is not open gives one part with no events.
//
// Call it on the engine's thread, between commands.
std::vector<SnapshotPart> buildSnapshot(const Engine &engine, StreamKey key,
                                        std::uint64_t coversSequence);

// The payload bytes a part takes once encoded: the part's fields and its event records.
std::size_t encodedPayloadSize(const SnapshotPart &part);

} // namespace bourse::net

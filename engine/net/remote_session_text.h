#pragma once

// The sentences and checks RemoteSession derives from the client's state. Internal to
// RemoteSession, on its client thread except checkAgainstView().

#include "client.h"
#include "market_view.h"
#include "session.h"

#include <string>
#include <vector>

namespace bourse::net {

// Why the focus's book cannot be trusted now, for MarketView::replayStale: the link to
// `lostEndpoint` is down ("connection to tcp://127.0.0.1:7401 lost; reconnecting in 400 ms", or
// "...; moving to standby 1 tcp://127.0.0.1:7501 in 100 ms"), not up yet, or the focus's stream
// is resynchronizing ("resynchronizing instrument 3 with the server"). Empty while the focus is
// in sync, and for a zero focus while the link is up.
std::string staleSentence(const Client &client, const std::string &lostEndpoint,
                          InstrumentId focus);

// The followed streams that are not in sync, such as "instrument 3", instruments first.
// `instruments` are those the views know besides the ones the options name.
std::vector<std::string> staleStreams(const Client &client, const ClientOptions &options,
                                      const std::vector<InstrumentId> &instruments);

// A sentence for an ErrorReply of the server, naming the message type, field and byte.
std::string describeErrorReply(const ErrorReply &error);

// The checks a terminal can make against a view before the server judges an order: the
// instrument's tick, lot, minimum and maximum quantity, and the kill switches. Anything else
// passes, because the risk state is the server's alone.
Session::CheckAnswer checkAgainstView(const MarketView &view, const NewOrder &order);

} // namespace bourse::net

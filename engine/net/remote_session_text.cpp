#include "remote_session_text.h"

#include "trader_view.h"

#include <algorithm>

namespace bourse::net {

std::string staleSentence(const Client &client, const std::string &lostEndpoint, InstrumentId focus)
{
    const std::string wait = std::to_string(client.reconnectWait().count()) + " ms";
    switch (client.state()) {
    case ClientState::WaitingToReconnect:
        if (client.endpoints().orderEntry == lostEndpoint)
            return "connection to " + lostEndpoint + " lost; reconnecting in " + wait;
        return "connection to " + lostEndpoint + " lost; moving to " +
               describeEndpoints(client.endpointIndex(), client.endpoints()) + " in " + wait;
    case ClientState::Connecting:
        if (client.endpointIndex() == 0)
            return "connecting to " + client.endpoints().orderEntry;
        return "connecting to " + describeEndpoints(client.endpointIndex(), client.endpoints());
    case ClientState::Live:
        break;
    }
    const StreamKey key{StreamKind::Instrument, focus.value()};
    if (focus.value() == 0 || !client.streams().isStale(key))
        return {};
    return "resynchronizing " + describe(key) + " with the server";
}

std::vector<std::string> staleStreams(const Client &client, const ClientOptions &options,
                                      const std::vector<InstrumentId> &instruments)
{
    std::vector<StreamKey> keys;
    for (const InstrumentId instrument : options.instruments)
        keys.push_back({StreamKind::Instrument, instrument.value()});
    for (const InstrumentId instrument : instruments)
        keys.push_back({StreamKind::Instrument, instrument.value()});
    for (const AccountId account : options.accounts)
        keys.push_back({StreamKind::Account, account.value()});
    std::sort(keys.begin(), keys.end(), [](StreamKey a, StreamKey b) {
        // Instruments ('I') before accounts ('A'), each by id.
        return a.kind != b.kind ? a.kind == StreamKind::Instrument : a.id < b.id;
    });
    keys.erase(std::unique(keys.begin(), keys.end()), keys.end());

    std::vector<std::string> stale;
    for (const StreamKey key : keys) {
        if (client.streams().isStale(key))
            stale.push_back(describe(key));
    }
    return stale;
}

std::string describeErrorReply(const ErrorReply &error)
{
    const std::string field(error.field.data(),
                            std::find(error.field.begin(), error.field.end(), '\0'));
    std::string type = "a message";
    if (error.messageType != 0)
        type = "a message of type " + std::to_string(error.messageType);
    return "the server rejected " + type + " with sequence " + std::to_string(error.sequence) +
           ": " + std::string(nameOf(error.code)) + " in field '" + field + "' at byte " +
           std::to_string(error.offset);
}

namespace {

std::optional<RejectReason> checkTerms(const InstrumentQuote &terms, const NewOrder &order)
{
    if (order.quantity <= Quantity{0})
        return RejectReason::InvalidQuantity;
    if (terms.lotSize > Quantity{0} && order.quantity.value() % terms.lotSize.value() != 0)
        return RejectReason::QuantityNotOnLot;
    if (order.quantity < terms.minimumQuantity)
        return RejectReason::BelowMinimumQuantity;
    if (order.quantity > terms.maximumQuantity)
        return RejectReason::AboveMaximumQuantity;
    const bool limited = order.type == OrderType::Limit || order.type == OrderType::StopLimit;
    if (limited && order.limit <= Price{0})
        return RejectReason::InvalidPrice;
    if (limited && terms.tickSize > Price{0} && order.limit.value() % terms.tickSize.value() != 0)
        return RejectReason::PriceNotOnTick;
    return std::nullopt;
}

bool killSwitchEngaged(const TraderView &trader, AccountId account)
{
    if (trader.globalKillSwitch != KillSwitchScope::None)
        return true;
    return std::any_of(trader.risk.begin(), trader.risk.end(), [&](const RiskMonitor &monitor) {
        return monitor.account == account && monitor.killSwitch != KillSwitchScope::None;
    });
}

} // namespace

Session::CheckAnswer checkAgainstView(const MarketView &view, const NewOrder &order)
{
    const InstrumentId instrument =
        order.instrument.value() != 0 ? order.instrument : view.instrument;
    const auto terms =
        std::find_if(view.instruments.begin(), view.instruments.end(),
                     [&](const InstrumentQuote &quote) { return quote.instrument == instrument; });
    const AccountId account = order.account.value() != 0 || view.trader.accounts.empty()
                                  ? order.account
                                  : view.trader.accounts.front();

    Session::CheckAnswer answer;
    if (terms == view.instruments.end())
        answer.check.reason = RejectReason::UnknownInstrument;
    else if (const auto reason = checkTerms(*terms, order))
        answer.check.reason = reason;
    else if (killSwitchEngaged(view.trader, account))
        answer.check.reason = RejectReason::KillSwitchEngaged;
    if (answer.check.reason)
        answer.text = describeRejection(*answer.check.reason);
    return answer;
}

} // namespace bourse::net

#pragma once

#include "types.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace bourse::ui {

// The orders, fills and positions of every account, as the read models beside the journal
// contain them after the event `asOf`. The code that projects the journal fills them in on a
// thread of its own, and the terminal shows them as they arrive. Prices and quantities are in
// the journal's units.

struct AccountOrder {
    SequenceNumber entrySequence = 0;
    Timestamp time;
    OrderId order;
    AccountId account;
    Side side = Side::Buy;
    std::string type;        // Limit, Market, Stop, StopLimit
    std::string timeInForce; // Gtc, Day, Gtd, Ioc, Fok
    std::optional<Price> limitPrice;
    std::optional<Price> stopPrice;
    Quantity quantity;
    Quantity filled;
    Quantity remaining;
    std::string state;  // as the orders table names it
    std::string reason; // why a finished order ended: the rejection or cancel reason
};

struct AccountFill {
    SequenceNumber tradeSequence = 0;
    Timestamp time;
    OrderId order;
    AccountId account;
    Side side = Side::Buy;
    Price price;
    Quantity quantity;
    bool maker = false; // the resting side of the trade
};

struct AccountPosition {
    AccountId account;
    InstrumentId instrument;
    std::int64_t quantity = 0;    // signed: negative is short
    std::int64_t openCost = 0;    // price times quantity of the open lots, in ticks x lots
    std::int64_t realizedPnl = 0; // in ticks x lots
    std::uint64_t tradeCount = 0;
};

struct AccountsView {
    SequenceNumber asOf = 0; // the last event the read models include
    int priceDecimals = 2;
    std::vector<AccountOrder> workingOrders;  // newest first
    std::vector<AccountOrder> finishedOrders; // newest first
    std::vector<AccountFill> fills;           // newest first
    std::vector<AccountPosition> positions;
    std::string error; // why the read models could not be read or brought up to date
};

} // namespace bourse::ui

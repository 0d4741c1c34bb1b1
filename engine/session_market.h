#pragma once

// The simulated market a Session runs: the default instruments, the trader's accounts with
// their default limits, and the simulators that drive the instruments of an engine. Internal
// to the engine library.

#include "engine.h"
#include "session.h"
#include "simulator_set.h"

#include <vector>

namespace bourse::session {

// One of the trader's accounts as a new market opens it.
struct TraderAccount {
    AccountSettings settings;
    Money openingBalance;
    RiskLimits limits; // the account-wide defaults, set right after the opening
};

std::vector<Session::SimulatedInstrument> defaultInstruments();

// The trader's accounts, the default one first.
std::vector<TraderAccount> traderAccounts();

// Sets up a new market on an engine without instruments: adds the instruments, then opens each
// trader account and sets its limits, all as events at `time`. On any other engine it does
// nothing, because a resumed market has its instruments and accounts in its journal.
void setUpMarket(Engine &engine, const std::vector<Session::SimulatedInstrument> &instruments,
                 Timestamp time);

// One simulator member per instrument of the engine, in the engine's order. An instrument that
// `instruments` names with the same id and symbol takes its anchor, liquidity and weight; any
// other takes MarketSimulator's defaults and weight 1. Every simulator trades without an
// account and lets the engine assign its order ids, so it never cancels or reuses the id of a
// trader's order.
std::vector<SimulatorSet::Member>
simulatorMembers(const Engine &engine,
                 const std::vector<Session::SimulatedInstrument> &instruments);

// The reason the instruments cannot make a market, or an empty string.
std::string checkInstruments(const std::vector<Session::SimulatedInstrument> &instruments);

} // namespace bourse::session

#pragma once

// The terminal's remote mode over several `bourse-engine serve` processes that split one market
// by instrument: one RemoteSession per engine, each on its own client thread, and one MarketView
// merged from theirs. Each engine owns the instruments whose definitions it publishes. Orders,
// cancels and replaces go to the owner of their instrument, and mass cancels without an
// instrument and kill switches go to every engine.
//
// Order ids are the engines' own, so two engines may give the same id to different orders. The
// merged view adds the engine's index times 2^48 to the ids of the trader's orders, fills and
// notices, and cancel() and replace() take such an id apart again. Engine 0's ids stay as the
// engine gave them.
//
// Account-wide figures are summed over the engines: each account's cash is the sum of the cash
// it holds on each engine, since every engine keeps an account of its own for the trader. Each
// engine checks risk on its own orders and positions only, so a limit set on an account applies
// per engine, not to the sum.
//
// Every public function may be called from any thread.

#include "remote_session.h"

#include <cstddef>
#include <future>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace bourse::net {

// The ids of the trader's orders in a merged view carry the engine's index above this bit.
inline constexpr int kEngineOrderIdShift = 48;

OrderId mergedOrderId(std::size_t engine, OrderId id);
// The engine index and the engine's own id of a merged order id.
std::pair<std::size_t, OrderId> splitOrderId(OrderId merged);

// One engine of a split market.
struct EngineLink {
    std::string name; // as the operator calls it, such as "equities"; shown in the status
    RemoteSession::Options options;
};

// The owner of each instrument, from the engines' latest views. An instrument that two
// engines publish is a conflict, and has no owner until one of them stops publishing it.
struct InstrumentOwnership {
    struct Owner {
        InstrumentId instrument;
        std::string symbol;
        std::size_t engine = 0;
    };
    std::vector<Owner> owners;          // engine order, then each engine's instrument order
    std::vector<std::string> conflicts; // a sentence per instrument claimed twice

    // The owning engine, or nothing for an unknown or conflicting instrument.
    std::optional<std::size_t> ownerOf(InstrumentId instrument) const;
};

class MultiSession {
public:
    // Starts one RemoteSession per engine. Throws std::invalid_argument for an empty list and
    // what RemoteSession's constructor throws.
    explicit MultiSession(std::vector<EngineLink> engines);
    ~MultiSession();
    MultiSession(const MultiSession &) = delete;
    MultiSession &operator=(const MultiSession &) = delete;

    // The merged view: the market watch of every engine's instruments, the focus's book, tape
    // and bars from its owner, and the trader's orders, fills and positions of every engine.
    // Never null. `takesOrders` is true while any engine is live. `error` names instruments two
    // engines claim, then the latest error of an engine.
    std::shared_ptr<const MarketView> latestView() const;
    // The merged status, with one entry per engine in `engines`. It is Live while any engine is
    // live, and lists every instrument of an engine that is not live as a stale stream, so that
    // the terminal marks those and leaves the others live.
    ConnectionStatus status() const;
    InstrumentOwnership ownership() const;
    std::size_t engineCount() const;
    // The session of one engine, for tests and diagnostics.
    const RemoteSession &engine(std::size_t index) const;

    void setFocus(InstrumentId instrument);

    // As RemoteSession's. An order for an instrument that no engine's latest view shows, or that
    // two engines claim, is rejected here: it shows as a rejected order in the views, with the
    // reason, and submit() returns true, since the outcome is known. Zero instrument: the focus.
    bool submit(const NewOrder &order);
    bool cancel(OrderId id);
    bool replace(const ReplaceOrder &replace);
    bool massCancel(const MassCancel &scope);
    bool engageKillSwitch(AccountId account, KillSwitchScope scope);
    bool resetKillSwitch(AccountId account);
    std::future<Session::CheckAnswer> checkOrder(const NewOrder &order);

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

} // namespace bourse::net

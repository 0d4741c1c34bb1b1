#pragma once

// An OrderGateway for panel tests: it records every command a panel sends and returns a fixed
// result, ready at once, for every pre-trade check.

#include "order_gateway.h"

#include <future>
#include <vector>

class RecordingOrderGateway final : public bourse::ui::OrderGateway {
public:
    bool submit(const bourse::NewOrder &order) override
    {
        submitted.push_back(order);
        return queues;
    }
    bool cancel(bourse::OrderId id) override
    {
        cancelled.push_back(id);
        return queues;
    }
    bool replace(const bourse::ReplaceOrder &replace) override
    {
        replaced.push_back(replace);
        return queues;
    }
    bool massCancel(const bourse::MassCancel &scope) override
    {
        massCancelled.push_back(scope);
        return queues;
    }
    bool engageKillSwitch(bourse::AccountId, bourse::KillSwitchScope) override { return queues; }
    bool resetKillSwitch(bourse::AccountId) override { return queues; }
    std::future<bourse::Session::CheckAnswer> checkOrder(const bourse::NewOrder &order) override
    {
        checked.push_back(order);
        std::promise<bourse::Session::CheckAnswer> promise;
        std::future<bourse::Session::CheckAnswer> future = promise.get_future();
        if (holdsChecks)
            heldChecks.push_back(std::move(promise));
        else
            promise.set_value(order.side == bourse::Side::Buy ? buyAnswer : sellAnswer);
        return future;
    }

    bool queues = true;       // what every command returns
    bool holdsChecks = false; // keeps every check pending, as a stuck session would
    bourse::Session::CheckAnswer buyAnswer;
    bourse::Session::CheckAnswer sellAnswer;

    std::vector<bourse::NewOrder> submitted;
    std::vector<bourse::OrderId> cancelled;
    std::vector<bourse::ReplaceOrder> replaced;
    std::vector<bourse::MassCancel> massCancelled;
    std::vector<bourse::NewOrder> checked;
    std::vector<std::promise<bourse::Session::CheckAnswer>> heldChecks;
};
